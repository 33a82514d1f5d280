import { printServiceSdl } from '@marketplace/platform';
import { searchService } from './service.js';

process.stdout.write(await printServiceSdl(searchService));

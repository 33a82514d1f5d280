import { runService } from '@marketplace/platform';
import { searchService } from './service.js';

await runService(searchService);

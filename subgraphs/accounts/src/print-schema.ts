import { printServiceSdl } from '@marketplace/platform';
import { accountsService } from './service.js';

process.stdout.write(await printServiceSdl(accountsService));

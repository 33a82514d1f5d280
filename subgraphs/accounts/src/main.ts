import { runService } from '@marketplace/platform';
import { accountsService } from './service.js';

await runService(accountsService);

import { printServiceSdl } from '@marketplace/platform';
import { inventoryService } from './service.js';

process.stdout.write(await printServiceSdl(inventoryService));

import { runService } from '@marketplace/platform';
import { inventoryService } from './service.js';

await runService(inventoryService);

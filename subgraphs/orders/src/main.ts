import { runService } from '@marketplace/platform';
import { ordersService } from './service.js';

await runService(ordersService);

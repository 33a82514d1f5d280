import { printServiceSdl } from '@marketplace/platform';
import { ordersService } from './service.js';

process.stdout.write(await printServiceSdl(ordersService));

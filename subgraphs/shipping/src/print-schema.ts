import { printServiceSdl } from '@marketplace/platform';
import { shippingService } from './service.js';

process.stdout.write(await printServiceSdl(shippingService));

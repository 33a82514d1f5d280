import { runService } from '@marketplace/platform';
import { shippingService } from './service.js';

await runService(shippingService);

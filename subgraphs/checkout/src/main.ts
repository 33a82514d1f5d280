import { runService } from '@marketplace/platform';
import { checkoutService } from './service.js';

await runService(checkoutService);

import { printServiceSdl } from '@marketplace/platform';
import { checkoutService } from './service.js';

process.stdout.write(await printServiceSdl(checkoutService));

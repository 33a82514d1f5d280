import { printServiceSdl } from '@marketplace/platform';
import { cartService } from './service.js';

process.stdout.write(await printServiceSdl(cartService));

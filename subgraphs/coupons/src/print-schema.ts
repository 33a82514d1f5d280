import { printServiceSdl } from '@marketplace/platform';
import { couponsService } from './service.js';

process.stdout.write(await printServiceSdl(couponsService));

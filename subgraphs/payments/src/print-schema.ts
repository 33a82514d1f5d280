import { printServiceSdl } from '@marketplace/platform';
import { paymentsService } from './service.js';

process.stdout.write(await printServiceSdl(paymentsService));

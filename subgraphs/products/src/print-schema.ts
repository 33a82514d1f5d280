import { printServiceSdl } from '@marketplace/platform';
import { productsService } from './service.js';

process.stdout.write(await printServiceSdl(productsService));

import { printServiceSdl } from '@marketplace/platform';
import { reviewsService } from './service.js';

process.stdout.write(await printServiceSdl(reviewsService));

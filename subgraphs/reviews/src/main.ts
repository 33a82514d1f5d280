import { runService } from '@marketplace/platform';
import { reviewsService } from './service.js';

await runService(reviewsService);

import { runService } from '@marketplace/platform';
import { couponsService } from './service.js';

await runService(couponsService);

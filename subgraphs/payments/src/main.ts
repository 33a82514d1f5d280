import { runService } from '@marketplace/platform';
import { paymentsService } from './service.js';

await runService(paymentsService);

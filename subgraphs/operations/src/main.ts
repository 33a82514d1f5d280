import { runService } from '@marketplace/platform';
import { operationsService } from './service.js';

await runService(operationsService);

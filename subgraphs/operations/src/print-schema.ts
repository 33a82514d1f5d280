import { printServiceSdl } from '@marketplace/platform';
import { operationsService } from './service.js';

process.stdout.write(await printServiceSdl(operationsService));

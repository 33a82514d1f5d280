import { printServiceSdl } from '@marketplace/platform';
import { notificationsService } from './service.js';

process.stdout.write(await printServiceSdl(notificationsService));

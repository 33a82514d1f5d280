import { runService } from '@marketplace/platform';
import { notificationsService } from './service.js';

await runService(notificationsService);

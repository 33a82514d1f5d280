import { createLogger, stopOnSignals } from '@marketplace/platform';
import { startWebhookSidecar, webhookOptionsFromEnv } from './service.js';

const logger = createLogger('webhooks');
const sidecar = await startWebhookSidecar({ ...webhookOptionsFromEnv(), logger });

// Readiness 503, then the webhooks in flight are answered and stored events relayed (service.ts).
stopOnSignals(sidecar, { logger, settings: sidecar.shutdown });

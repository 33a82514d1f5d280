import { createLogger } from '@marketplace/platform';
import { startWebhookSidecar, webhookOptionsFromEnv } from './service.js';

const logger = createLogger('webhooks');
const sidecar = await startWebhookSidecar({ ...webhookOptionsFromEnv(), logger });

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'webhook sidecar stopping');
  try {
    // Stops accepting requests first, so everything already acknowledged is in the outbox.
    await sidecar.close();
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'webhook sidecar did not stop cleanly');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

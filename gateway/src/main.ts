import { createLogger, intFromEnv } from '@marketplace/platform';
import { startGateway } from './gateway.js';

const logger = createLogger('gateway');
const gateway = await startGateway({
  port: intFromEnv('GATEWAY_PORT', 4000),
  ...(process.env.GATEWAY_HOST ? { host: process.env.GATEWAY_HOST } : {}),
  logger,
});
logger.info({ url: gateway.url, explorer: gateway.explorerUrl }, `gateway listening on ${gateway.url}`);

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'shutting down');
  await gateway.stop().catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'));
  process.exit(0);
};
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

import { createLogger, intFromEnv, stopOnSignals } from '@marketplace/platform';
import { startGateway } from './gateway.js';

const logger = createLogger('gateway');
const gateway = await startGateway({
  port: intFromEnv('GATEWAY_PORT', 4000),
  ...(process.env.GATEWAY_HOST ? { host: process.env.GATEWAY_HOST } : {}),
  logger,
});
logger.info({ url: gateway.url, explorer: gateway.explorerUrl }, `gateway listening on ${gateway.url}`);
stopOnSignals(gateway, { logger, settings: gateway.shutdown });

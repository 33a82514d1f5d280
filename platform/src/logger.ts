import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; `service` and, per request or message, `correlationId` are bound as fields. */
export function createLogger(service: string): Logger {
  return pino({
    name: service,
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  });
}

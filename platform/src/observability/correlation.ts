import { AsyncLocalStorage } from 'node:async_hooks';

/*
 * The correlation id of the request or message being handled, for everything it awaits: the
 * logger reads it for every line (see `createLogger`), so code deep in a use case need not pass
 * a child logger around to be found by the id a caller quotes.
 */
const current = new AsyncLocalStorage<string>();

export function withCorrelationId<T>(correlationId: string, fn: () => T): T {
  return current.run(correlationId, fn);
}

export function currentCorrelationId(): string | undefined {
  return current.getStore();
}

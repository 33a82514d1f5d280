import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from './auth.js';

/** Per-request DataLoaders, created on first use so a request pays only for what it touches. */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();

  get<K, V>(name: string, batch: (keys: readonly K[]) => Promise<(V | null)[]>): DataLoader<K, V | null> {
    let loader = this.loaders.get(name) as DataLoader<K, V | null> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V | null>(batch);
      this.loaders.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }
}

/** What every resolver receives: the caller, tracing ids and this request's unit of work. */
export interface RequestContext {
  actor: Actor | null;
  correlationId: string;
  traceparent?: string;
  /** The caller's address as the gateway saw it, e.g. for throttling. */
  clientIp?: string;
  /** A fork of the subgraph's entity manager: one identity map per request. */
  em: EntityManager;
  loaders: Loaders;
}

/** Groups loaded rows by key in the order DataLoader asked for them. */
export function orderByKeys<K, V>(
  keys: readonly K[],
  rows: readonly V[],
  keyOf: (row: V) => K,
): (V | null)[] {
  const byKey = new Map<K, V>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((k) => byKey.get(k) ?? null);
}

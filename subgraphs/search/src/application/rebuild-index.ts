import { domainError, err, ok, type Clock, type Result } from '@marketplace/shared-kernel';
import { toDocument } from '../domain/product-document.js';
import { projectSnapshots } from './project-events.js';
import type { IndexAdmin, ProductSource, SearchState, VersionedDocument } from './ports.js';

export interface RebuildProgress {
  /** `sync`: reading the source of truth into search's state; `index`: filling the new index. */
  phase: 'sync' | 'index';
  done: number;
  /** Known in the index phase; the source does not say how many products it has. */
  total: number | null;
  docsPerSecond: number;
}

export interface RebuildReport {
  index: string;
  /** The indices the alias pointed at before, now deleted. */
  replaced: string[];
  /** Products read from the source, and how many of them search had missed or held older. */
  synced: number;
  corrected: number;
  indexed: number;
  elapsedMs: number;
}

export interface RebuildDeps {
  state: SearchState;
  index: IndexAdmin;
  /**
   * The source of truth to sync search's state from first (the products subgraph, for the
   * offline tool). Without it the index is rebuilt from search's own state, as the events built
   * it: what operations' rebuild command does inside the service.
   */
  source?: ProductSource;
  clock: Clock;
  /** Awaited after every page. */
  onProgress?: (progress: RebuildProgress) => void | Promise<void>;
  pageSize?: number;
  /** A build whose heartbeat is older than this is considered dead and taken over. */
  staleAfterMs?: number;
}

const DEFAULT_PAGE_SIZE = 500;
const DEFAULT_STALE_AFTER_MS = 10 * 60_000;

/**
 * Rebuilds the search index without downtime:
 * 1. creates a new physical index and records it as under construction, so from then on every
 *    live write (event consumers) goes to it as well as to the alias;
 * 2. syncs search's state from the source of truth (the products subgraph), when given one:
 *    snapshots newer than what search holds are applied and re-indexed like an event would be;
 * 3. bulk-writes every product's document from search's state into the new index, each under the
 *    version of its last write: a live write made meanwhile carries a higher version and wins;
 * 4. swaps the alias to the new index in one atomic step and deletes the old index.
 * Searches keep reading the old index until the swap. A failure deletes the new index.
 */
export async function rebuildIndex(deps: RebuildDeps): Promise<Result<RebuildReport>> {
  const { state, index, source, clock } = deps;
  const pageSize = deps.pageSize ?? DEFAULT_PAGE_SIZE;
  const startedAt = clock.now();
  const newIndex = await index.createIndex();
  const build = await state.startBuild(
    index.alias,
    newIndex,
    startedAt,
    new Date(startedAt.getTime() - (deps.staleAfterMs ?? DEFAULT_STALE_AFTER_MS)),
  );
  if (!build.started) {
    await index.deleteIndex(newIndex);
    return err(
      domainError('SEARCH.REBUILD_RUNNING', `A rebuild into ${build.running} is running for ${index.alias}`),
    );
  }
  if (build.abandoned) await index.deleteIndex(build.abandoned);

  let phaseStartedAt = startedAt;
  const progress = async (phase: RebuildProgress['phase'], done: number, total: number | null) => {
    const now = clock.now();
    const seconds = (now.getTime() - phaseStartedAt.getTime()) / 1000;
    await state.touchBuild(index.alias, newIndex, now);
    await deps.onProgress?.({
      phase,
      done,
      total,
      docsPerSecond: seconds > 0 ? Math.round(done / seconds) : done,
    });
  };

  try {
    let synced = 0;
    let corrected = 0;
    let cursor: string | null = null;
    if (source) {
      do {
        const page = await source.page(cursor, pageSize);
        corrected += await state.transaction((tx) =>
          projectSnapshots(
            page.items.map((item) => ({ ...item, occurredAt: null })),
            { tx, index },
          ),
        );
        synced += page.items.length;
        cursor = page.nextCursor;
        await progress('sync', synced, null);
      } while (cursor);
    }

    const total = await state.countIndexable();
    phaseStartedAt = clock.now();
    let indexed = 0;
    let after: string | null = null;
    for (;;) {
      const rows = await state.indexablePage(after, pageSize);
      if (rows.length === 0) break;
      const documents: VersionedDocument[] = rows.flatMap((row) => {
        const document = toDocument(row.state, row.stock);
        return document ? [{ id: row.state.productId, version: row.indexVersion, document }] : [];
      });
      await index.write([newIndex], documents);
      indexed += rows.length;
      after = rows.at(-1)!.state.productId;
      await progress('index', indexed, Math.max(total, indexed));
    }

    await index.refresh(newIndex);
    const replaced = (await index.swapAlias(newIndex)).filter((name) => name !== newIndex);
    await state.endBuild(index.alias, newIndex);
    for (const old of replaced) await index.deleteIndex(old);
    return ok({
      index: newIndex,
      replaced,
      synced,
      corrected,
      indexed,
      elapsedMs: clock.now().getTime() - startedAt.getTime(),
    });
  } catch (error) {
    await state.endBuild(index.alias, newIndex);
    await index.deleteIndex(newIndex);
    throw error;
  }
}

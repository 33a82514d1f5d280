import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { LocalBus, createOrm, migrate } from '@marketplace/platform';
import { waitFor } from '@marketplace/platform/testing';
import { busContract, effectMigration } from './bus.contract.js';

// The embedded profile's bus: the contract on the in-process log, with the runner's inbox on an
// in-memory PGlite as the embedded services have it.
busContract('the embedded log', async () => {
  const db = await PGlite.create();
  const bus = new LocalBus({ db, pollIntervalMs: 200 });
  const orm = await createOrm({
    postgresUrl: '',
    dbName: 'bus-contract',
    pgliteDir: 'memory://',
    entities: [],
    migrations: [effectMigration],
  });
  await migrate(orm);
  return {
    bus,
    orm,
    joinMs: 0,
    close: async () => {
      await bus.close();
      await orm.close(true);
      await db.close();
    },
  };
});

describe('the embedded log', () => {
  it('keeps a partition going when its own database fails a read, and delivers what came meanwhile', async () => {
    const db = await PGlite.create();
    let failNextFetch = false;
    const errors: unknown[] = [];
    // The bus's database, failing one fetch of messages on request.
    const flaky = {
      query: <T>(sql: string, params?: unknown[]) => {
        if (failNextFetch && sql.includes('from bus_message m')) {
          failNextFetch = false;
          return Promise.reject(new Error('simulated I/O error'));
        }
        return db.query<T>(sql, params);
      },
      exec: (sql: string) => db.exec(sql),
      transaction: <T>(fn: (tx: Pick<typeof db, 'query'>) => Promise<T>) => db.transaction(fn),
    };
    const bus = new LocalBus({
      db: flaky,
      partitions: 1,
      pollIntervalMs: 50,
      redelivery: { initialDelayMs: 10, maxDelayMs: 20 },
      onError: (error) => errors.push(error),
    });
    await bus.ensureTopics(['t']);
    const seen: string[] = [];
    const sub = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      eachMessage: async (m) => void seen.push(m.value ?? ''),
    });
    await bus.publish([{ topic: 't', messages: [{ key: 'k', value: 'before' }] }]);
    await waitFor(() => seen.length === 1, 5_000);
    failNextFetch = true;
    await bus.publish([{ topic: 't', messages: [{ key: 'k', value: 'after' }] }]);
    await waitFor(() => seen.length === 2, 5_000);
    await sub.stop();
    expect(seen).toEqual(['before', 'after']);
    expect(errors).toHaveLength(1);
    await db.close();
  });

  it('refuses to publish to a topic nobody created, writing nothing', async () => {
    const db = await PGlite.create();
    const bus = new LocalBus({ db });
    await bus.ensureTopics(['known']);
    await expect(
      bus.publish([
        { topic: 'known', messages: [{ key: 'k', value: 'v' }] },
        { topic: 'unknown', messages: [{ key: 'k', value: 'v' }] },
      ]),
    ).rejects.toMatchObject({ code: 'BUS.UNKNOWN_TOPIC' });
    // One transaction: the message for the known topic was not kept either.
    expect((await db.query<{ n: number }>('select count(*)::int as n from bus_message')).rows[0]!.n).toBe(0);
    await db.close();
  });

  it("keeps its log and the groups' positions across a restart of the process", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-bus-'));
    let db = await PGlite.create(dir);
    const first = new LocalBus({ db });
    await first.ensureTopics(['t']);
    await first.publish([{ topic: 't', messages: ['1', '2'].map((value) => ({ key: 'k', value })) }]);
    const seen: string[] = [];
    const sub = await first.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      eachMessage: async (m) => void seen.push(m.value ?? ''),
    });
    const deadline = Date.now() + 5_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    // The database closed and opened again from its directory: what a restarted process sees.
    await db.close();
    db = await PGlite.create(dir);
    const second = new LocalBus({ db });
    await second.publish([{ topic: 't', messages: [{ key: 'k', value: '3' }] }]);
    const after: string[] = [];
    const again = await second.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      eachMessage: async (m) => void after.push(m.value ?? ''),
    });
    const until = Date.now() + 5_000;
    while (after.length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await again.stop();
    expect(seen).toEqual(['1', '2']);
    expect(after).toEqual(['3']);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

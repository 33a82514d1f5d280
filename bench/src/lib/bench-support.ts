import pg from 'pg';
import type { Kafka } from 'kafkajs';
import type { Marketplace, ProcessName } from '@marketplace/platform/testing';
import { BENCH_GATEWAY_ENV, cpuSeconds } from './processes.js';
export { table } from './markdown.js';

/** Drops a database a scenario created for itself (forcing out its idle connections). */
export async function dropDatabase(postgresUrl: string, dbName: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${postgresUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`drop database if exists "${dbName}" with (force)`);
  } finally {
    await client.end();
  }
}

/** A number as reports print it: integers with separators, small values with one decimal. */
export const fmt = (value: number): string =>
  Number.isNaN(value)
    ? 'n/a'
    : Math.abs(value) >= 100
      ? Math.round(value).toLocaleString('en-US')
      : String(Math.round(value * 10) / 10);

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds a process has used so far (processes.ts); NaN once it is gone. */
const cpuSecondsOrNaN = (pid: number): Promise<number> => cpuSeconds(pid).catch(() => Number.NaN);

/** CPU seconds each named process spends while `work` runs. */
export async function cpuDuring<T>(
  pids: Record<string, number>,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = await Promise.all(Object.values(pids).map(cpuSecondsOrNaN));
  const result = await work();
  const after = await Promise.all(Object.values(pids).map(cpuSecondsOrNaN));
  const cpu = Object.fromEntries(
    Object.keys(pids).map((name, i) => [name, Math.round((after[i]! - before[i]!) * 100) / 100]),
  );
  return { result, cpu };
}

/**
 * Gateway budgets kept running but too large to refuse anything, for every caller class: the
 * scenarios drive many buyers and sellers from one machine.
 */
export const UNLIMITED_BUDGETS_ENV: Record<string, string> = {
  ...BENCH_GATEWAY_ENV,
  GATEWAY_BUDGET_BUYER_CAPACITY: '1000000000',
  GATEWAY_BUDGET_BUYER_LEAK_PER_SECOND: '1000000000',
  GATEWAY_BUDGET_SELLER_CAPACITY: '1000000000',
  GATEWAY_BUDGET_SELLER_LEAK_PER_SECOND: '1000000000',
};

/**
 * Adds the tail of the failing service's own output to an error that names it (masked GraphQL
 * errors carry `serviceName`), so a failed setup step says why.
 */
export function withServiceOutput(market: Marketplace, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const names = [...message.matchAll(/"serviceName":"([a-z]+)"/g)].map((m) => m[1]!);
  const tails = [...new Set(names)].map(
    (name) =>
      `--- ${name} output ---\n${(market.processes.get(name as ProcessName)?.output ?? []).join('').slice(-3000)}`,
  );
  return tails.length === 0
    ? (error as Error)
    : new Error(`${message}\n${tails.join('\n')}`, { cause: error });
}

/**
 * Messages the consumer groups of one stack (group ids ending in `.e2e-<stack>`) have yet to
 * read, summed over every topic they committed offsets on. A new stack's groups first replay the
 * shared topics' history (every earlier run's events and commands), which would otherwise be
 * measured along with the scenario.
 */
export async function stackLag(kafka: Kafka, stackName: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const mine = groups.map((g) => g.groupId).filter((id) => id.endsWith(`.e2e-${stackName}`));
    const ends = new Map<string, Map<number, readonly [number, number]>>();
    let lag = 0;
    for (const groupId of mine) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        if (!ends.has(topic)) {
          const offsets = await admin.fetchTopicOffsets(topic);
          ends.set(
            topic,
            new Map(offsets.map((o) => [o.partition, [Number(o.low), Number(o.high)] as const])),
          );
        }
        for (const p of partitions) {
          const [low, high] = ends.get(topic)!.get(p.partition)!;
          // Nothing committed yet: the group reads from the beginning.
          const at = Number(p.offset) >= 0 ? Number(p.offset) : low;
          lag += Math.max(0, high - at);
        }
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until a stack's consumer groups have (nearly) caught up with the shared topics. */
export async function waitForStackToCatchUp(
  kafka: Kafka,
  stackName: string,
  log: (message: string) => void,
  timeoutMs = 900_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let best = Number.POSITIVE_INFINITY;
  let improvedAt = Date.now();
  for (let last = Number.NaN, calm = 0; ;) {
    const lag = await stackLag(kafka, stackName);
    // Other stacks keep publishing to the shared topics: a small remainder is their live traffic.
    // Twice in a row, so a group that has not joined yet is not taken for one that caught up.
    calm = lag < 100 ? calm + 1 : 0;
    if (calm >= 2) return;
    if (lag < best) [best, improvedAt] = [lag, Date.now()];
    // A remainder that no longer shrinks is not a replay: offsets left on a topic no running
    // consumer reads any more.
    if (Date.now() - improvedAt > 20_000) {
      log(`consumer lag steady at ${lag} messages (topics nobody reads any more); going on`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`stack ${stackName} still ${lag} messages behind`);
    if (lag !== last)
      log(`waiting for the stack's consumers to replay the topics' history: ${lag} messages behind`);
    last = lag;
    await sleep(2_000);
  }
}

/**
 * Starts a stack's consumer groups (`<group>.e2e-<stack>`) at the end of the shared topics, as
 * a long-running deployment's groups would be, instead of replaying every earlier run's events
 * and commands first. The group names and their topics are taken from earlier stacks' groups;
 * call before the stack starts.
 */
export async function skipHistory(kafka: Kafka, stackName: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    // Every topic any earlier group of the same name committed on (a stack that ran only some
    // services, or saw no traffic on a topic, committed on fewer).
    const bases = new Map<string, Set<string>>();
    const named = groups
      .map(({ groupId }) => ({ groupId, base: /^(.+)\.e2e-[a-z0-9]+$/.exec(groupId)?.[1] }))
      .filter((g): g is { groupId: string; base: string } => !!g.base);
    for (let i = 0; i < named.length; i += 25) {
      await Promise.all(
        named.slice(i, i + 25).map(async ({ groupId, base }) => {
          const topics = bases.get(base) ?? new Set<string>();
          bases.set(base, topics);
          for (const { topic } of await admin.fetchOffsets({ groupId })) topics.add(topic);
        }),
      );
    }
    const ends = new Map<string, Promise<{ partition: number; offset: string }[] | null>>();
    const endOf = (topic: string) => {
      if (!ends.has(topic))
        ends.set(
          topic,
          admin
            .fetchTopicOffsets(topic)
            .then((offsets) => offsets.map((o) => ({ partition: o.partition, offset: o.high })))
            .catch(() => null),
        );
      return ends.get(topic)!;
    };
    // Setting a group's offsets joins it for a moment, so the groups go in parallel.
    await Promise.all(
      [...bases].map(async ([base, topics]) => {
        for (const topic of topics) {
          const partitions = await endOf(topic);
          if (partitions) await admin.setOffsets({ groupId: `${base}.e2e-${stackName}`, topic, partitions });
        }
      }),
    );
    return bases.size;
  } finally {
    await admin.disconnect();
  }
}

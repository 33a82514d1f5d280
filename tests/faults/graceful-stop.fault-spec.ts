import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { GATEWAY_SECRET_HEADER, loadConfig } from '@marketplace/platform';
import {
  startMarketplace,
  uniqueSuffix,
  type Marketplace,
  type ProcessName,
} from '@marketplace/platform/testing';
import { report } from './support/private-infra.js';
import { runLoad, type Sent } from './support/load.js';

/*
 * A rolling deploy's SIGTERM, under load: 200 sign-ups (argon2 hashing makes each one take a
 * while, so many are really inside the server at the signal), 20 at a time over keep-alive
 * connections, and SIGTERM to the process serving them once 40 have been answered. Every
 * request written before the signal gets a complete answer, and a successful one; none is cut
 * off; the process exits 0 within its grace period; every sign-up that was answered is in the
 * database after a restart, with its UserRegistered event in the outbox and published.
 */

const TOTAL = 200;
const CONCURRENCY = 20;
const SIGNAL_AFTER = 40;
const GRACE_MS = 15_000;
/** Process scheduling on a loaded CI machine, not part of the behaviour under test. */
const EXIT_SLACK_MS = 5_000;
/** Refusals a request written after the signal may get: the port is closed, or its idle keep-alive socket was. */
const CLEAN_REFUSALS = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'];

const config = loadConfig();
const suffix = uniqueSuffix();
const word = suffix.replace(/[^a-z0-9]/gi, '').toLowerCase();
let market: Marketplace;
let accountsDb: pg.Client;

beforeAll(async () => {
  market = await startMarketplace(
    suffix,
    {
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      // Long enough to see readiness turn 503 while the port still accepts, even when a loaded
      // machine delays the first probe by a few hundred milliseconds (CI saw only refusals at 300).
      SHUTDOWN_DRAIN_DELAY_MS: '2000',
      // Two hundred anonymous sign-ups from one address: the budgets are not under test here.
      GATEWAY_BUDGETS: 'off',
    },
    ['accounts'],
  );
  accountsDb = new pg.Client({ connectionString: `${config.postgresUrl}/mp_e2e_accounts_${suffix}` });
  await accountsDb.connect();
}, 300_000);

afterAll(async () => {
  await accountsDb?.end();
  await market?.stop();
}, 120_000);

const REGISTER = `mutation($input: RegisterBuyerInput!) { registerBuyer(input: $input) {
  ... on AuthPayload { user { id } } ... on ErrorResult { code message } } }`;

const emailOf = (run: string, index: number) => `stop-${run}-${index}-${word}@faults.example.com`;

/** The user id a request's answer carries, or undefined when it is not a successful sign-up. */
function userIdOf(sent: Sent): string | undefined {
  if (sent.answer?.status !== 200) return undefined;
  const body = JSON.parse(sent.answer.body) as { data?: { registerBuyer?: { user?: { id?: string } } } };
  return body.data?.registerBuyer?.user?.id;
}

/**
 * Runs the load against `url`, sends SIGTERM to `target` once SIGNAL_AFTER requests have been
 * answered, and returns what every request got, when the signal went, and how the process ended.
 */
async function loadAndStop(
  target: ProcessName,
  url: string,
  run: string,
  headers: Record<string, string> = {},
) {
  const child = market.processes.get(target)!.child;
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  let signalAt = Number.POSITIVE_INFINITY;
  let readiness: Promise<number | string> | undefined;
  const results = await runLoad({
    url,
    total: TOTAL,
    concurrency: CONCURRENCY,
    headers,
    body: (index) => ({
      query: REGISTER,
      variables: {
        input: { email: emailOf(run, index), password: 'Graceful-stop-password-1', name: `Stop ${index}` },
      },
    }),
    onAnswer: (answered) => {
      if (answered !== SIGNAL_AFTER) return;
      // Taken before the signal: a request written after this moment counts as "after".
      signalAt = performance.now();
      child.kill('SIGTERM');
      readiness = readinessAfterSignal(target);
    },
  });
  const exit = await exited;
  const before = results.filter((r) => r.sentAt !== undefined && r.sentAt < signalAt);
  const after = results.filter((r) => !before.includes(r));
  // In flight at the signal: written before it and not yet answered.
  const inFlight = before.filter((r) => !r.answer || r.answeredAt! > signalAt).length;
  return {
    results,
    before,
    after,
    signalAt,
    exit,
    exitMs: exit.at - signalAt,
    inFlight,
    ready: await readiness,
  };
}

/**
 * Probes `/ready` every 25 ms from the signal until the port refuses connections, each probe on
 * its own (one held up by a busy database pool does not hold up the next). Returns 503 if any
 * probe was answered 503 while the port was still open, else the last answer.
 */
async function readinessAfterSignal(target: ProcessName): Promise<number | string> {
  let refused = false;
  const probe = () =>
    fetch(`http://127.0.0.1:${market.ports[target]}/ready`).then(
      (res) => res.status,
      (error: Error) => {
        refused = true;
        return String((error.cause as { code?: string } | undefined)?.code ?? error.message);
      },
    );
  const probes: Promise<number | string>[] = [];
  const deadline = Date.now() + 10_000;
  while (!refused && Date.now() < deadline) {
    probes.push(probe());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const answers = await Promise.all(probes);
  return answers.includes(503) ? 503 : answers[answers.length - 1]!;
}

/** Every sign-up that was answered as a success is in the database, and its event left or will leave. */
async function committedWorkKept(results: Sent[]) {
  const ids = results.map(userIdOf).filter((id): id is string => id !== undefined);
  const users = await accountsDb.query<{ id: string }>('select id from app_user where id = any($1::uuid[])', [
    ids,
  ]);
  const events = await accountsDb.query<{ message_key: string; sent: boolean }>(
    `select message_key, sent_at is not null as sent from outbox
     where event_type = 'accounts.user-registered' and message_key = any($1::text[])`,
    [ids],
  );
  return {
    answeredOk: ids.length,
    missingUsers: ids.length - users.rowCount!,
    missingEvents: ids.length - new Set(events.rows.map((r) => r.message_key)).size,
    unsentEvents: events.rows.filter((r) => !r.sent).length,
  };
}

type Outcome = Awaited<ReturnType<typeof loadAndStop>>;

function figures(outcome: Outcome): Record<string, number | string> {
  return {
    requests: TOTAL,
    sentBeforeSignal: outcome.before.length,
    inFlightAtSignal: outcome.inFlight,
    unanswered: outcome.before.filter((r) => !r.answer).length,
    refusedAfter: outcome.after.filter((r) => r.refused).length,
    exitCode: String(outcome.exit.code),
    exitMs: Math.round(outcome.exitMs),
    readyAfterSignal: String(outcome.ready),
  };
}

function expectGracefulStop(outcome: Outcome) {
  const { before, after, results, signalAt, exit, exitMs } = outcome;
  // The signal really caught requests inside the process.
  expect(outcome.inFlight).toBeGreaterThan(0);
  // Readiness turned 503 while the port was still open, so a load balancer could stop routing.
  expect(outcome.ready).toBe(503);
  // Every request written before the signal was answered, completely and successfully.
  expect(before.filter((r) => !r.answer).map((r) => r.refused ?? r.truncated)).toEqual([]);
  expect(before.filter((r) => userIdOf(r) === undefined).map((r) => r.answer)).toEqual([]);
  // Nothing was cut off half-way, before or after the signal.
  expect(results.filter((r) => r.truncated).map((r) => r.truncated)).toEqual([]);
  // After it: answered (the drain delay, an in-flight keep-alive) or refused cleanly.
  expect(
    after.filter((r) => !r.answer && !CLEAN_REFUSALS.includes(r.refused ?? '')).map((r) => r.refused),
  ).toEqual([]);
  // Answers sent while draining tell the client to open its next connection elsewhere.
  const answeredLate = results.filter((r) => r.answeredAt! > signalAt + 1_000);
  expect(answeredLate.filter((r) => r.answer!.connection !== 'close').map((r) => r.index)).toEqual([]);
  expect(results.some((r) => r.answeredAt! > signalAt && r.answer!.connection === 'close')).toBe(true);
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(exitMs).toBeLessThan(GRACE_MS + EXIT_SLACK_MS);
}

describe('SIGTERM under load', () => {
  it('the gateway answers every request in flight, refuses new ones cleanly and exits 0', async () => {
    const outcome = await loadAndStop('gateway', market.gatewayUrl, 'gw');
    await market.restart('gateway');
    const kept = await committedWorkKept(outcome.results);
    report('gateway SIGTERM under load', { ...figures(outcome), ...kept });
    expectGracefulStop(outcome);
    expect(kept).toMatchObject({ missingUsers: 0, missingEvents: 0 });
  });

  it('a subgraph answers every request in flight, flushes its outbox and exits 0', async () => {
    const outcome = await loadAndStop('accounts', `http://127.0.0.1:${market.ports.accounts}/graphql`, 'sg', {
      [GATEWAY_SECRET_HEADER]: config.gatewaySecret,
    });
    // Read before the restart: what the stopped process left unsent.
    const keptAtExit = await committedWorkKept(outcome.results);
    await market.restart('accounts');
    const kept = await committedWorkKept(outcome.results);
    report('subgraph SIGTERM under load', {
      ...figures(outcome),
      unsentAtExit: keptAtExit.unsentEvents,
      ...kept,
    });
    expectGracefulStop(outcome);
    // The last flush published every committed event before the process exited.
    expect(keptAtExit).toMatchObject({ missingUsers: 0, missingEvents: 0, unsentEvents: 0 });
    expect(kept).toMatchObject({ missingUsers: 0, missingEvents: 0 });
  });
});

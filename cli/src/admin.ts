// `marketplace admin ...`: the operations API of the gateway from a terminal. Every command is
// one GraphQL document sent as an admin; the subgraphs enforce the role, not this tool.
import { GatewayClient, signIn, type Json } from './seed/gateway-client.js';
import { adminFromEnv } from './seed/index.js';
import { ADMIN_USAGE, parseAdminArgs, UsageError, type AdminCommand } from './admin-args.js';
import { runOutbox } from './outbox.js';
import { cell, table } from './table.js';

const DEAD_LETTER_FIELDS = `id status group code reason attempts originalTopic originalPartition originalOffset key
  eventType deadLetterTopic failedAt receivedAt decidedAt decidedBy discardReason replayMessageId`;
const REFUSAL = '... on ErrorResult { code message }';
const JOB_FIELDS = 'id readModel status requestedAt requestedBy startedAt finishedAt detail';

const DOCUMENTS = {
  deadLetters: `query($filter: DeadLetterFilter, $first: Int!, $after: String) {
    deadLetters(filter: $filter, first: $first, after: $after) { __typename
      ... on DeadLetterConnection { nodes { id status group code eventType originalTopic attempts failedAt reason } endCursor hasNextPage }
      ${REFUSAL} } }`,
  deadLetter: `query($id: ID!) { deadLetter(id: $id) { __typename
      ... on DeadLetterPayload { deadLetter { ${DEAD_LETTER_FIELDS} headers { name value } value } } ${REFUSAL} } }`,
  replay: `mutation($id: ID!) { replayDeadLetter(id: $id) { __typename
      ... on DeadLetterPayload { deadLetter { ${DEAD_LETTER_FIELDS} } } ${REFUSAL} } }`,
  discard: `mutation($id: ID!, $reason: String!) { discardDeadLetter(id: $id, reason: $reason) { __typename
      ... on DeadLetterPayload { deadLetter { ${DEAD_LETTER_FIELDS} } } ${REFUSAL} } }`,
  rebuild: `mutation($readModel: ReadModel!) { rebuildReadModel(readModel: $readModel) { __typename
      ... on RebuildJobPayload { job { ${JOB_FIELDS} } } ${REFUSAL} } }`,
  rebuildJob: `query($id: ID!) { rebuildJob(id: $id) { __typename
      ... on RebuildJobPayload { job { ${JOB_FIELDS} } } ${REFUSAL} } }`,
  saga: `query($id: ID!) { checkout(id: $id) {
      id status currentStep orderId paymentId createdAt total { amount currency }
      failure { code message step } timeline { at step event detail }
      saga { buyerId cartId completedSteps attempt deadlineAt awaiting } } }`,
};

export interface AdminIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  sleep: (ms: number) => Promise<void>;
}

const defaultIo: AdminIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * ADMIN_TOKEN as given, else a sign-in as the admin `seed` signs in as (`adminFromEnv`).
 */
async function adminToken(client: GatewayClient, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  const { email, password } = adminFromEnv(env);
  const auth = await signIn(client, email, password);
  // The API spells roles as an enum (ADMIN).
  if (auth.user.role.toLowerCase() !== 'admin')
    throw new UsageError(`${email} is not an admin (role ${auth.user.role})`);
  return auth.accessToken;
}

function describeDeadLetter(d: Json): string[] {
  const lines = [
    `dead letter ${d.id}: ${d.status}`,
    `  group      ${d.group}`,
    `  failed     ${d.failedAt} after ${d.attempts} attempt(s): ${d.code}`,
    `  reason     ${d.reason}`,
    `  origin     ${d.originalTopic ?? '(unknown: not replayable)'} [${d.originalPartition ?? '-'}] @${d.originalOffset ?? '-'}`,
    `  key        ${d.key ?? '-'}`,
    `  event      ${d.eventType ?? '(not an event envelope)'}`,
    `  parked in  ${d.deadLetterTopic}, collected ${d.receivedAt}`,
  ];
  if (d.decidedAt) lines.push(`  decided    ${d.status} at ${d.decidedAt} by ${d.decidedBy}`);
  if (d.discardReason) lines.push(`  discarded  ${d.discardReason}`);
  if (d.replayMessageId) lines.push(`  replayed   as message ${d.replayMessageId}`);
  if (d.headers) lines.push('  headers', ...d.headers.map((h: Json) => `    ${h.name}: ${h.value}`));
  if (d.value !== undefined) lines.push('  value', `    ${d.value ?? '(none)'}`);
  return lines;
}

const describeJob = (j: Json): string =>
  `rebuild job ${j.id}: ${j.readModel} ${j.status}` +
  `${j.startedAt ? `, started ${j.startedAt}` : ''}${j.finishedAt ? `, finished ${j.finishedAt}` : ''}` +
  `${j.detail ? `\n  ${j.detail}` : ''}`;

function describeSaga(c: Json): string[] {
  const lines = [
    `checkout ${c.id}: ${c.status} at ${c.currentStep}`,
    `  order ${c.orderId}, payment ${c.paymentId}, started ${c.createdAt}` +
      (c.total ? `, total ${c.total.amount} ${c.total.currency} (minor units)` : ''),
  ];
  if (c.saga) {
    lines.push(`  buyer ${c.saga.buyerId}, cart ${c.saga.cartId}`);
    lines.push(`  done       ${c.saga.completedSteps.join(' > ') || '(nothing yet)'}`);
    if (c.saga.awaiting)
      lines.push(
        `  awaiting   ${c.saga.awaiting} (send ${c.saga.attempt}, times out ${c.saga.deadlineAt ?? '-'})`,
      );
  }
  if (c.failure) lines.push(`  failed at ${c.failure.step}: ${c.failure.code} ${c.failure.message}`);
  lines.push('  steps');
  for (const t of c.timeline as Json[])
    lines.push(`    ${t.at}  ${cell(t.step ?? '', 18)} ${cell(t.event, 18)} ${t.detail ?? ''}`.trimEnd());
  return lines;
}

const TERMINAL_JOB = new Set(['SUCCEEDED', 'FAILED']);

/** Runs one parsed command; returns the exit code (0 done, 1 refused or not found). */
async function execute(
  command: AdminCommand,
  json: boolean,
  client: GatewayClient,
  io: AdminIo,
): Promise<number> {
  if (command.kind === 'help') {
    io.out(ADMIN_USAGE);
    return 0;
  }
  // Dead outbox rows live in each subgraph's database, not behind the gateway: no sign-in.
  if (command.kind === 'outbox-dead' || command.kind === 'outbox-retry' || command.kind === 'outbox-discard')
    return runOutbox(command, json, io);
  const token = await adminToken(client, io.env);
  const call = (document: string, variables: object) => client.call(document, variables, token);
  const refused = (r: Json): boolean => {
    if (r?.__typename !== 'ErrorResult') return false;
    io.err(`refused: ${r.code} ${r.message}`);
    return true;
  };
  const print = (value: Json, human: () => string[]) => {
    for (const line of json ? [JSON.stringify(value, null, 2)] : human()) io.out(line);
  };

  switch (command.kind) {
    case 'dead-letters': {
      const { filter, first, after } = command;
      const r = (await call(DOCUMENTS.deadLetters, { filter, first, after: after ?? null })).deadLetters;
      if (refused(r)) return 1;
      print(r, () => [
        ...table(r.nodes, [
          ['id', 'ID', 36],
          ['status', 'STATUS', 9],
          ['group', 'GROUP', 28],
          ['code', 'CODE', 26],
          ['eventType', 'EVENT', 32],
          ['failedAt', 'FAILED AT', 24],
        ]),
        r.hasNextPage ? `more: --after ${r.endCursor}` : `${r.nodes.length} shown, no more`,
      ]);
      return 0;
    }
    case 'dead-letter': {
      const r = (await call(DOCUMENTS.deadLetter, { id: command.id })).deadLetter;
      if (refused(r)) return 1;
      if (!r.deadLetter) {
        io.err(`no dead letter ${command.id}`);
        return 1;
      }
      print(r.deadLetter, () => describeDeadLetter(r.deadLetter));
      return 0;
    }
    case 'replay':
    case 'discard': {
      const r =
        command.kind === 'replay'
          ? (await call(DOCUMENTS.replay, { id: command.id })).replayDeadLetter
          : (await call(DOCUMENTS.discard, { id: command.id, reason: command.reason })).discardDeadLetter;
      if (refused(r)) return 1;
      print(r.deadLetter, () => describeDeadLetter(r.deadLetter));
      return 0;
    }
    case 'rebuild': {
      const r = (await call(DOCUMENTS.rebuild, { readModel: command.readModel })).rebuildReadModel;
      if (refused(r)) return 1;
      let job = r.job;
      if (!json) io.out(describeJob(job));
      // Follows the job until its owner reports the outcome.
      while (command.wait && !TERMINAL_JOB.has(job.status)) {
        await io.sleep(1_000);
        const next = (await call(DOCUMENTS.rebuildJob, { id: job.id })).rebuildJob;
        if (refused(next)) return 1;
        if (next.job.status !== job.status && !json) io.out(describeJob(next.job));
        job = next.job;
      }
      if (json) io.out(JSON.stringify(job, null, 2));
      return job.status === 'FAILED' ? 1 : 0;
    }
    case 'rebuild-job': {
      const r = (await call(DOCUMENTS.rebuildJob, { id: command.id })).rebuildJob;
      if (refused(r)) return 1;
      if (!r.job) {
        io.err(`no rebuild job ${command.id}`);
        return 1;
      }
      print(r.job, () => [describeJob(r.job)]);
      return 0;
    }
    case 'saga': {
      const c = (await call(DOCUMENTS.saga, { id: command.checkoutId })).checkout;
      if (!c) {
        io.err(`no checkout ${command.checkoutId} (or not visible to this account)`);
        return 1;
      }
      print(c, () => describeSaga(c));
      return 0;
    }
  }
}

export async function runAdmin(args: string[], io: AdminIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseAdminArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  const client = new GatewayClient(io.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql');
  try {
    return await execute(parsed.command, parsed.json, client, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return 2;
  }
}

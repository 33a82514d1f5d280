import type { EntityManager } from '@mikro-orm/postgresql';
import { topicFor, type ContractKey, type EventEnvelope, type PayloadOf } from '@marketplace/event-contracts';
import { loadConfig } from '../config.js';
import { checkedValues } from '../persistence/mapping.js';
import { signAccessToken, type Actor, type Role } from '../graphql/auth.js';
import { GATEWAY_SECRET_HEADER } from '../graphql/subgraph.js';
import { KafkaBus } from '../messaging/kafka-bus.js';
import {
  startService,
  type KafkaService,
  type ServiceDefinition,
  type ServiceOverrides,
} from '../service.js';
import { newAdmin, newBuyer, newSeller } from './actors.js';
import { dropDatabases } from './stack.js';
import { testEnvelope, uniqueSuffix } from './envelopes.js';
import { waitFor } from './wait.js';

// Specs check answers field by field, so GraphQL data and SQL rows stay loosely typed here.
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface SubgraphTestOptions extends Pick<ServiceOverrides, 'env' | 'relay'> {
  /** Keep every SQL statement the service runs in `statements` (for batching assertions). */
  statements?: boolean;
  /** Names the database (`mp_test_<service>_<suffix>`) and suffixes the consumer groups; unique by default. */
  suffix?: string;
  /** Leave the database behind after `stop()`, to look into it. */
  keepDatabase?: boolean;
}

/** Who a request is made as: an actor, the harness's actor of a role, or a token as it is. */
export type As = Actor | Role | { token: string };

export interface GqlOptions {
  as?: As;
  headers?: Record<string, string>;
}

export interface GqlAnswer<T = any> {
  status: number;
  data?: T;
  errors?: any[];
}

export interface PublishOptions {
  /** Defaults to the contract's topic. */
  topic?: string;
  /** Resolve only once the service's consumers have handled every message (see `handled`). */
  handled?: true | HandledOptions;
}

export interface SendOptions extends PublishOptions {
  aggregateType: string;
  /** Also the Kafka key, as the relay keys messages. */
  aggregateId: string;
  /** Defaults to the type's context; a command names the service that sends it. */
  producer?: string;
  correlationId?: string;
  causationId?: string | null;
}

export interface HandledOptions {
  /** A consumer group of the service, as its definition names it (without the test suffix). */
  group?: string;
  timeoutMs?: number;
}

export interface OutboxFilter {
  type?: string;
  version?: number;
  /** The Kafka key: the aggregate id. */
  key?: string;
  topic?: string;
  /** Rows written at or after this time. */
  since?: Date;
}

type Definition = ServiceDefinition | (() => ServiceDefinition);

/**
 * A subgraph started for a test on the real Postgres, Kafka and Redis: its own database and
 * consumer groups, a free port, and what a spec needs to drive it (GraphQL as any actor, SQL,
 * messages in, the outbox out). Usually made by `useSubgraph` in a spec file.
 */
export class SubgraphUnderTest {
  readonly suffix: string;
  readonly dbName: string;
  /** The SQL the service ran, when asked for with `statements: true`; a spec may empty it. */
  readonly statements: string[] = [];
  /** The actors `as: 'buyer' | 'seller' | 'admin'` stand for. */
  readonly actors: Readonly<Record<Role, Actor>> = {
    buyer: newBuyer(),
    seller: newSeller(),
    admin: newAdmin(),
  };
  /**
   * The running service, also before it started (for destructuring at the top of a spec): every
   * property is read from the current process, so it follows `restart()`.
   */
  readonly service: KafkaService;

  private readonly name: string;
  /** The definition of the next start: a factory is called once per start. */
  private next?: ServiceDefinition;
  private current?: KafkaService;
  private readonly replicas = new Set<KafkaService>();
  private readonly tokens = new Map<string, { token: string; signedAt: number }>();
  private bus?: Promise<KafkaBus>;
  private readonly topicsReady = new Map<string, Promise<void>>();

  constructor(
    private readonly definition: Definition,
    private readonly options: SubgraphTestOptions = {},
  ) {
    this.next = typeof definition === 'function' ? definition() : definition;
    this.name = this.next.name;
    this.suffix = options.suffix ?? uniqueSuffix();
    this.dbName = `mp_test_${this.name}_${this.suffix}`;
    this.service = new Proxy({} as KafkaService, {
      get: (_target, property) => Reflect.get(this.running, property),
      has: (_target, property) => Reflect.has(this.running, property),
      // So that `{ ...service }` copies the running service's properties.
      ownKeys: () => Reflect.ownKeys(this.running),
      getOwnPropertyDescriptor: (_target, property) =>
        Reflect.getOwnPropertyDescriptor(this.running, property),
    });
  }

  /** Whether the service is up (between `start` and `stop`, outside a `restart`). */
  get started(): boolean {
    return this.current !== undefined;
  }

  /** The service's GraphQL endpoint. */
  get url(): string {
    return this.running.server.url;
  }

  async start(): Promise<this> {
    if (!this.current) this.current = await this.launch();
    return this;
  }

  /**
   * Stops the service as a deploy would and starts it again on the same database and consumer
   * groups; `whileDown` runs in between (a message published while it is away, a clock moved).
   */
  async restart(whileDown?: () => Promise<unknown>): Promise<void> {
    await this.stopService();
    await whileDown?.();
    await this.start();
  }

  /** Another instance of the service on the same database and groups; stopped with this one. */
  async startReplica(): Promise<KafkaService> {
    const replica = await this.launch();
    this.replicas.add(replica);
    const stop = replica.stop;
    return {
      ...replica,
      stop: async () => {
        this.replicas.delete(replica);
        await stop();
      },
    };
  }

  /** Stops everything the harness started and drops the test database (unless `keepDatabase`). */
  async stop(): Promise<void> {
    await Promise.all([...this.replicas].map((r) => r.stop()));
    this.replicas.clear();
    await this.stopService();
    const bus = this.bus;
    this.bus = undefined;
    await (await bus?.catch(() => undefined))?.close();
    if (!this.options.keepDatabase) await dropDatabases([this.dbName]);
  }

  /** The GraphQL answer as it came: for specs that assert on errors or the HTTP status. */
  readonly gqlRaw = async <T = any>(
    query: string,
    variables: object = {},
    as?: As | GqlOptions,
  ): Promise<GqlAnswer<T>> => {
    const options = gqlOptions(as);
    const token = options.as ? await this.tokenOf(options.as) : undefined;
    const service = this.running;
    const res = await fetch(service.server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [GATEWAY_SECRET_HEADER]: service.config.gatewaySecret,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    try {
      const body = JSON.parse(text) as { data?: T; errors?: any[] };
      return { status: res.status, data: body.data, errors: body.errors };
    } catch {
      return { status: res.status, errors: [{ message: text }] };
    }
  };

  /** The data of a GraphQL answer; an answer with errors throws them. */
  readonly gql = async <T = any>(query: string, variables: object = {}, as?: As | GqlOptions): Promise<T> => {
    const answer = await this.gqlRaw<T>(query, variables, as);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return answer.data as T;
  };

  /** An access token for the actor, signed as accounts would (kept for ten of its fifteen minutes). */
  readonly tokenFor = async (actor: Actor): Promise<string> => {
    const key = `${actor.role}:${actor.userId}:${actor.sellerId ?? ''}`;
    const cached = this.tokens.get(key);
    if (cached && Date.now() - cached.signedAt < 600_000) return cached.token;
    const token = await signAccessToken(actor, this.running.config.jwtSecret);
    this.tokens.set(key, { token, signedAt: Date.now() });
    return token;
  };

  /** A statement on the service's database, outside any request. */
  readonly sql = <T extends object = Record<string, any>>(query: string, params: unknown[] = []) =>
    this.running.orm.em.fork().execute<T[]>(query, params);

  /** The values the live CHECK on `table.column` allows (to compare with the domain's closed set). */
  readonly checkedValues = (table: string, column: string): Promise<string[] | null> =>
    checkedValues(this.running.orm.em.fork() as EntityManager, table, column);

  /** The consumer group id the service runs `group` under in this test. */
  readonly group = (group: string): string => `${group}.${this.suffix}`;

  /**
   * Publishes messages to the service as another subgraph would, keyed by aggregate id: a
   * payload of a contract (`'orders.order-paid@2'`), wrapped and checked against it, or
   * envelopes built already (published as they are, duplicates included). Uses a Kafka
   * connection of the harness's own, so it also works while the service is down.
   */
  send<K extends ContractKey>(
    contract: K,
    payload: PayloadOf<K>,
    options: SendOptions,
  ): Promise<EventEnvelope<PayloadOf<K>>>;
  /** A contract named at run time (`${type}@${version}`): its payload is checked when it is wrapped. */
  send(contract: string, payload: object, options: SendOptions): Promise<EventEnvelope>;
  send(
    envelopes: EventEnvelope | readonly EventEnvelope[],
    options?: PublishOptions,
  ): Promise<EventEnvelope[]>;
  async send(
    what: string | EventEnvelope | readonly EventEnvelope[],
    payloadOrOptions?: unknown,
    sendOptions?: SendOptions,
  ): Promise<EventEnvelope | EventEnvelope[]> {
    if (typeof what === 'string') {
      const [type, version] = what.split('@');
      const options = sendOptions!;
      const envelope = testEnvelope(
        type!,
        options.aggregateType,
        options.aggregateId,
        payloadOrOptions as object,
        {
          version: Number(version),
          producer: options.producer,
          correlationId: options.correlationId,
          causationId: options.causationId,
        },
      );
      await this.publish([envelope], options);
      return envelope;
    }
    const envelopes = Array.isArray(what) ? (what as EventEnvelope[]) : [what as EventEnvelope];
    await this.publish(envelopes, payloadOrOptions as PublishOptions | undefined);
    return envelopes;
  }

  /**
   * Waits until the service's consumers (or one `group` of them) have handled every message:
   * the inbox row commits with the handler's work. A dead-lettered message never gets one.
   */
  readonly handled = async (
    messages: EventEnvelope | string | readonly (EventEnvelope | string)[],
    options: HandledOptions = {},
  ): Promise<void> => {
    const ids = [...new Set(idsOf(messages))];
    await waitFor(
      async () => (await this.handledIds(ids, options.group)).length === ids.length,
      options.timeoutMs ?? 60_000,
    );
  };

  /** Whether the service's consumers (or one `group` of them) have handled the message yet. */
  readonly isHandled = async (message: EventEnvelope | string, group?: string): Promise<boolean> =>
    (await this.handledIds(idsOf(message), group)).length === 1;

  /** The envelopes the service wrote to its outbox, oldest first. */
  readonly outbox = async (filter: OutboxFilter = {}): Promise<EventEnvelope<any>[]> => {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (condition: string, value: unknown) => {
      if (value === undefined) return;
      conditions.push(condition);
      params.push(value);
    };
    where('event_type = ?', filter.type);
    where('event_version = ?', filter.version);
    where('message_key = ?', filter.key);
    where('topic = ?', filter.topic);
    where('created_at >= ?', filter.since);
    const rows = await this.sql<{ envelope: EventEnvelope }>(
      `select envelope from outbox ${conditions.length ? `where ${conditions.join(' and ')}` : ''} order by seq`,
      params,
    );
    return rows.map((r) => r.envelope);
  };

  private get running(): KafkaService {
    if (!this.current) {
      throw new Error(
        `${this.name} is not running: the harness starts in beforeAll (useSubgraph) or with start()`,
      );
    }
    return this.current;
  }

  private launch(): Promise<KafkaService> {
    const { env, relay } = this.options;
    const definition =
      this.next ?? (typeof this.definition === 'function' ? this.definition() : this.definition);
    this.next = typeof this.definition === 'function' ? undefined : definition;
    return startService(definition, {
      port: 0,
      dbName: this.dbName,
      groupSuffix: this.suffix,
      env,
      relay,
      onQuery: this.options.statements ? (statement) => this.statements.push(statement) : undefined,
    });
  }

  private async stopService(): Promise<void> {
    const service = this.current;
    this.current = undefined;
    await service?.stop();
  }

  private async tokenOf(as: As): Promise<string> {
    if (typeof as === 'string') return this.tokenFor(this.actors[as]);
    return 'token' in as ? as.token : this.tokenFor(as);
  }

  private async publish(envelopes: readonly EventEnvelope[], options: PublishOptions = {}): Promise<void> {
    const bus = await this.connectBus();
    const byTopic = new Map<string, EventEnvelope[]>();
    for (const envelope of envelopes) {
      const topic = options.topic ?? topicFor(envelope.type, envelope.version);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), envelope]);
    }
    // Topics are never created on publish: one no service created yet is made here, once.
    await Promise.all(
      [...byTopic.keys()].map((topic) => {
        if (!this.topicsReady.has(topic)) this.topicsReady.set(topic, bus.ensureTopics([topic]));
        return this.topicsReady.get(topic);
      }),
    );
    await bus.publish(
      [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e) })),
      })),
    );
    if (options.handled) await this.handled(envelopes, options.handled === true ? {} : options.handled);
  }

  private connectBus(): Promise<KafkaBus> {
    this.bus ??= KafkaBus.connect(
      `test-${this.name}-${this.suffix}`,
      loadConfig(this.options.env ?? process.env).kafkaBrokers,
    );
    return this.bus;
  }

  private handledIds(ids: readonly string[], group?: string) {
    return this.sql<{ message_id: string }>(
      `select distinct message_id from inbox where message_id::text = any(string_to_array(?, ','))
         ${group ? 'and consumer = ?' : ''}`,
      group ? [ids.join(','), this.group(group)] : [ids.join(',')],
    );
  }
}

const idsOf = (messages: EventEnvelope | string | readonly (EventEnvelope | string)[]): string[] =>
  (Array.isArray(messages) ? messages : [messages]).map((m: EventEnvelope | string) =>
    typeof m === 'string' ? m : m.id,
  );

function gqlOptions(as: As | GqlOptions | undefined): GqlOptions {
  if (as === undefined || typeof as === 'string' || 'userId' in as || 'token' in as) return { as };
  return as;
}

/** Starts a subgraph under test (stop it with `stop()`); in a spec file `useSubgraph` does both. */
export async function startSubgraphUnderTest(
  definition: Definition,
  options: SubgraphTestOptions = {},
): Promise<SubgraphUnderTest> {
  return new SubgraphUnderTest(definition, options).start();
}

type Hook = (fn: () => Promise<unknown>, timeoutMs?: number) => void;

/**
 * The subgraph under test for one spec file: started in a `beforeAll`, stopped (its database
 * dropped) in an `afterAll`, both registered here, so the spec's own hooks declared after this
 * call run with the service up. Jest's global hooks are used, so this module loads outside Jest
 * too (the benchmarks import `@marketplace/platform/testing`).
 */
export function useSubgraph(definition: Definition, options: SubgraphTestOptions = {}): SubgraphUnderTest {
  const { beforeAll, afterAll } = globalThis as unknown as { beforeAll?: Hook; afterAll?: Hook };
  if (!beforeAll || !afterAll) throw new Error('useSubgraph registers Jest hooks: call it in a spec file');
  const sut = new SubgraphUnderTest(definition, options);
  beforeAll(() => sut.start());
  afterAll(() => sut.stop());
  return sut;
}

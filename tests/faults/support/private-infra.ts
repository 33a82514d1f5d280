import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createKafka } from '@marketplace/platform';
import { waitFor } from '@marketplace/platform/testing';

/*
 * Private Kafka and Elasticsearch instances for the tests that stop or restart them: the shared
 * ones on 9092/9200 serve every other suite and must never be touched. Each instance lives in
 * its own data folder under .data/ and is started and stopped through the same scripts the
 * shared services use (infra/kafka/kafka.sh, infra/elasticsearch/elasticsearch.sh), which
 * record the server's pid in that folder; `stop` ends that pid only.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

export interface PrivateServer {
  /** `127.0.0.1:<port>` for Kafka, `http://127.0.0.1:<port>` for Elasticsearch. */
  address: string;
  port: number;
  /** The server's pid while it runs (from the script's pid file). */
  pid(): Promise<number | undefined>;
  start(): Promise<void>;
  /** Graceful stop (SIGTERM, SIGKILL after 30 s), by the recorded pid. */
  stop(keepData?: boolean): Promise<void>;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Two free ports `p` and `p + 1` between 19000 and 19998, away from the stacks' 4100-4899. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 19_000 + 2 * Math.floor(Math.random() * 499);
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error('no two free ports between 19000 and 19999');
}

function server(
  script: string,
  dataDir: string,
  pidFile: string,
  env: Record<string, string>,
  address: string,
  port: number,
): PrivateServer {
  const call = async (command: string) => {
    try {
      await run('bash', [script, command], {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dataDir, ...env },
        maxBuffer: 10 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${script} ${command} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
    }
  };
  return {
    address,
    port,
    pid: async () => {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      const pid = Number.parseInt(text.trim(), 10);
      return Number.isFinite(pid) ? pid : undefined;
    },
    start: () => call('start'),
    stop: () => call('stop'),
  };
}

/**
 * A single-node KRaft broker of its own, in `.data/faults-kafka/<port>` (so test files running in
 * parallel never share one; jars fetched there from the local Maven cache). `stop` also deletes
 * the folder: a fresh broker has no history for new consumer groups to replay.
 */
export async function privateKafka(): Promise<PrivateServer> {
  const port = await freePortPair();
  const dataDir = `${ROOT}.data/faults-kafka/${port}`;
  const broker = server(
    `${ROOT}infra/kafka/kafka.sh`,
    dataDir,
    `${dataDir}/kafka/kafka.pid`,
    { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port + 1) },
    `127.0.0.1:${port}`,
    port,
  );
  return {
    ...broker,
    start: async () => {
      await broker.start();
      await warmUp(broker.address);
    },
    /** Stops the broker and, unless it is to be started again, removes its folder. */
    stop: async (keepData = false) => {
      await broker.stop();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A single-node Elasticsearch of its own, in `.data/faults-es` (the distribution is
 * fetched and unpacked on first use). The folder sits beside the shared instance's, so the
 * unprivileged user Elasticsearch runs as can reach it as well.
 */
export async function privateElasticsearch(): Promise<PrivateServer> {
  const port = await freePortPair();
  const dataDir = `${ROOT}.data/faults-es`;
  return server(
    `${ROOT}infra/elasticsearch/elasticsearch.sh`,
    dataDir,
    `${dataDir}/elasticsearch/es.pid`,
    {
      ES_HTTP_PORT: String(port),
      ES_TRANSPORT_PORT: String(port + 1),
      ES_HEAP: '384m',
      // A loaded CI machine can take minutes to boot a JVM this size.
      ES_START_TIMEOUT: '300',
    },
    `http://127.0.0.1:${port}`,
    port,
  );
}

/**
 * Asks the broker for a group's coordinator until it answers, so the broker has created its
 * offsets topic and loaded the coordinator before a whole stack's consumers ask at the same
 * moment. Through the admin client only: a consumer that crashes on "coordinator not
 * available" schedules its own restart, which outlives disconnect() and then retries against
 * a broker the test has stopped, keeping jest from exiting.
 */
async function warmUp(address: string): Promise<void> {
  const admin = createKafka(`faults-warm-up-${address}`, [address]).admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { groups } = await admin.describeGroups(['faults.warm-up']);
        return groups.length === 1;
      },
      120_000,
      250,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Prints one fault test's figures in a fixed shape, so a CI log can be read at a glance. */
export function report(fault: string, figures: Record<string, number | string>): string {
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`[fault] ${fault}: ${line}`);
  return line;
}

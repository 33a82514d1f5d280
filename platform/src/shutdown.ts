import { intFromEnv } from './config.js';
import type { Logger } from './logger.js';

/**
 * How a process stops on SIGTERM/SIGINT (a rolling deploy, Ctrl-C): readiness answers 503 at
 * once, then after `drainDelayMs` the HTTP server stops accepting and answers what is in flight
 * for up to `graceMs`, then consumers and jobs finish their current message or run, the outbox
 * relay flushes once more, and the clients close.
 */
export interface ShutdownSettings {
  /**
   * Between readiness turning 503 and the port closing: time for a load balancer to notice and
   * stop routing here. Requests keep being served meanwhile (`SHUTDOWN_DRAIN_DELAY_MS`).
   */
  drainDelayMs: number;
  /**
   * How long requests in flight get once the port is closed; what is still open then is closed
   * (`SHUTDOWN_GRACE_MS`). Kubernetes sends SIGKILL 30 s after SIGTERM by default: the delay,
   * the grace and the last phases fit in that.
   */
  graceMs: number;
}

export const DEFAULT_SHUTDOWN_SETTINGS: ShutdownSettings = { drainDelayMs: 1_000, graceMs: 25_000 };

/** Past the delay and the grace, what the last phases (consumers, relay flush, clients) get before the process exits anyway. */
export const FINAL_PHASES_MS = 3_000;

export function shutdownSettings(env: NodeJS.ProcessEnv = process.env): ShutdownSettings {
  return {
    drainDelayMs: intFromEnv('SHUTDOWN_DRAIN_DELAY_MS', DEFAULT_SHUTDOWN_SETTINGS.drainDelayMs, env),
    graceMs: intFromEnv('SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_SETTINGS.graceMs, env),
  };
}

/** What a process's entry point stops gracefully (a service, the gateway, the sidecar, the embedded marketplace). */
export interface Drainable {
  /** Readiness answers 503 from now on; everything else keeps working. */
  beginDrain(): void;
  /** The rest of the stop, in order: HTTP drain within the grace, consumers and jobs, relay flush, clients. */
  stop(): Promise<void>;
}

export interface ShutdownPhase {
  name: string;
  run(): Promise<unknown> | unknown;
}

/**
 * Runs the phases one after another, logging each with its duration. A failing phase is logged
 * and the next ones still run (the database must be closed even when the relay could not
 * flush); the first failure is thrown once all have run.
 */
export async function stopInPhases(phases: ShutdownPhase[], logger: Logger): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const phase of phases) {
    const started = performance.now();
    try {
      await phase.run();
      logger.info(
        { phase: phase.name, ms: Math.round(performance.now() - started) },
        `shutdown: ${phase.name} done`,
      );
    } catch (error) {
      logger.error({ err: error, phase: phase.name }, `shutdown: ${phase.name} failed`);
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

export interface StopOnSignalsOptions {
  logger: Logger;
  settings: ShutdownSettings;
  /** Runs first when the first signal arrives (the embedded profile stops its seeder, says so). */
  onSignal?(signal: NodeJS.Signals): void;
  /** Where the signals come from and how the process ends: the process itself outside tests. */
  signals?: { on(signal: NodeJS.Signals, listener: () => void): unknown };
  exit?(code: number): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * The entry point's graceful stop. On the first SIGTERM or SIGINT: readiness turns 503, then
 * after the drain delay `target.stop()` runs, and the process exits 0 (1 if a phase failed). A
 * second signal exits at once (1), as does a stop that overruns the delay, the grace and
 * `FINAL_PHASES_MS`. The port stays open for at least one turn of the event loop after the
 * signal even without a delay, so requests and connections the kernel already holds are read
 * and answered rather than reset.
 */
export function stopOnSignals(target: Drainable, options: StopOnSignalsOptions): void {
  const { logger, settings } = options;
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  let watchdog: NodeJS.Timeout | undefined;
  let exited = false;
  const finish = (code: number) => {
    if (exited) return;
    exited = true;
    clearTimeout(watchdog);
    exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'shutdown: second signal, exiting without finishing the drain');
      finish(1);
      return;
    }
    stopping = true;
    const started = performance.now();
    logger.info({ signal, ...settings }, 'shutdown: draining, readiness answers 503');
    options.onSignal?.(signal);
    target.beginDrain();
    const budgetMs = settings.drainDelayMs + settings.graceMs + FINAL_PHASES_MS;
    watchdog = setTimeout(() => {
      logger.error({ budgetMs }, 'shutdown: overran its budget, exiting');
      finish(1);
    }, budgetMs);
    watchdog.unref();
    void new Promise((resolve) => setTimeout(resolve, settings.drainDelayMs))
      .then(() => target.stop())
      .then(
        () => {
          logger.info({ ms: Math.round(performance.now() - started) }, 'shutdown: complete');
          return 0;
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown: failed');
          return 1;
        },
      )
      .then(finish);
  };
  for (const signal of SIGNALS) signals.on(signal, () => onSignal(signal));
}

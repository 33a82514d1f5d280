import type { Logger } from './logger.js';

/**
 * Work a service runs in the background while it is up (e.g. a sweeper that releases expired
 * reservations). Started after the consumers, stopped before anything it could use is closed.
 */
export interface BackgroundJob {
  readonly name: string;
  start(): void;
  /** Resolves once a run in progress has finished; no run starts afterwards. */
  stop(): Promise<void>;
}

export interface IntervalJobOptions {
  name: string;
  intervalMs: number;
  logger: Logger;
  /** One pass of the job; a failure is logged and the next pass runs on schedule. */
  run(): Promise<unknown>;
}

/** Runs a pass every `intervalMs`, never two at once (a slow pass delays the next one). */
export class IntervalJob implements BackgroundJob {
  readonly name: string;
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private running = false;

  constructor(private readonly options: IntervalJobOptions) {
    this.name = options.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  /** Runs one pass now (waiting for a pass in progress first); for tests and tools. */
  async runNow(): Promise<void> {
    while (this.current) await this.current;
    const pass = this.pass();
    this.current = pass;
    try {
      await pass;
    } finally {
      if (this.current === pass) this.current = undefined;
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.runNow().finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async pass(): Promise<void> {
    try {
      await this.options.run();
    } catch (error) {
      this.options.logger.error({ err: error, job: this.name }, 'background job pass failed');
    }
  }
}

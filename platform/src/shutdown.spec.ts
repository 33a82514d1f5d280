import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import {
  FINAL_PHASES_MS,
  shutdownSettings,
  stopInPhases,
  stopOnSignals,
  type Drainable,
  type ShutdownSettings,
} from './shutdown.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A process stand-in under `stopOnSignals`: signals are events, the exit code is recorded, and
 * what happened is listed in order.
 */
function fakeProcess(settings: ShutdownSettings, stopWork: () => Promise<void> = async () => {}) {
  const signals = new EventEmitter();
  const steps: string[] = [];
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const target: Drainable = {
    beginDrain: () => steps.push('drain'),
    stop: async () => {
      steps.push('stop');
      await stopWork();
    },
  };
  stopOnSignals(target, {
    logger,
    settings,
    signals,
    exit: (code: number) => {
      steps.push(`exit ${code}`);
      exited(code);
    },
  });
  return { signals, steps, exit };
}

describe('stopInPhases', () => {
  it('runs the phases in order, one after another', async () => {
    const steps: string[] = [];
    const phase = (name: string, ms: number) => ({
      name,
      run: async () => {
        steps.push(`${name} start`);
        await sleep(ms);
        steps.push(`${name} end`);
      },
    });
    await stopInPhases([phase('http', 20), phase('consumers', 5), phase('relay', 1)], logger);
    expect(steps).toEqual([
      'http start',
      'http end',
      'consumers start',
      'consumers end',
      'relay start',
      'relay end',
    ]);
  });

  it('runs the phases after a failing one, then throws the first failure', async () => {
    const ran: string[] = [];
    const failing = stopInPhases(
      [
        { name: 'relay', run: () => Promise.reject(new Error('broker away')) },
        { name: 'bus', run: () => ran.push('bus') },
        { name: 'database', run: () => ran.push('database') },
      ],
      logger,
    );
    await expect(failing).rejects.toThrow('broker away');
    expect(ran).toEqual(['bus', 'database']);
  });
});

describe('stopOnSignals', () => {
  it('on SIGTERM turns readiness off at once, waits the drain delay, stops, and exits 0', async () => {
    const proc = fakeProcess({ drainDelayMs: 50, graceMs: 1_000 });
    const signalled = performance.now();
    proc.signals.emit('SIGTERM');
    // Synchronously with the signal: the load balancer may ask right away.
    expect(proc.steps).toEqual(['drain']);
    expect(await proc.exit).toBe(0);
    expect(proc.steps).toEqual(['drain', 'stop', 'exit 0']);
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(45);
  });

  it('treats SIGINT the same and exits 1 when a phase failed', async () => {
    const proc = fakeProcess({ drainDelayMs: 0, graceMs: 1_000 }, () =>
      Promise.reject(new Error('relay flush failed')),
    );
    proc.signals.emit('SIGINT');
    expect(await proc.exit).toBe(1);
    expect(proc.steps).toEqual(['drain', 'stop', 'exit 1']);
  });

  it('exits 1 at once on a second signal during the drain', async () => {
    const proc = fakeProcess({ drainDelayMs: 0, graceMs: 20_000 }, () => sleep(500));
    proc.signals.emit('SIGTERM');
    await sleep(20);
    proc.signals.emit('SIGINT');
    expect(await proc.exit).toBe(1);
    // The stop that finishes afterwards exits no second time.
    await sleep(600);
    expect(proc.steps).toEqual(['drain', 'stop', 'exit 1']);
  });

  it('exits 1 when the stop overruns the drain delay, the grace and the last phases', async () => {
    const settings = { drainDelayMs: 10, graceMs: 20 };
    const proc = fakeProcess(settings, () => sleep(FINAL_PHASES_MS + 1_000));
    const signalled = performance.now();
    proc.signals.emit('SIGTERM');
    expect(await proc.exit).toBe(1);
    const elapsed = performance.now() - signalled;
    expect(elapsed).toBeGreaterThanOrEqual(settings.drainDelayMs + settings.graceMs + FINAL_PHASES_MS - 5);
    expect(elapsed).toBeLessThan(settings.drainDelayMs + settings.graceMs + FINAL_PHASES_MS + 2_000);
  });
});

describe('shutdownSettings', () => {
  it('reads the drain delay and the grace from the environment, with defaults below Kubernetes 30 s', () => {
    expect(shutdownSettings({})).toEqual({ drainDelayMs: 1_000, graceMs: 25_000 });
    expect(shutdownSettings({ SHUTDOWN_DRAIN_DELAY_MS: '0', SHUTDOWN_GRACE_MS: '5000' })).toEqual({
      drainDelayMs: 0,
      graceMs: 5_000,
    });
    expect(() => shutdownSettings({ SHUTDOWN_GRACE_MS: 'soon' })).toThrow('SHUTDOWN_GRACE_MS');
  });
});

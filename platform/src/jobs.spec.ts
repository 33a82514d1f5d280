import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { IntervalJob } from './jobs.js';

const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('IntervalJob', () => {
  it('runs passes one at a time, keeps going after a failure, and stops after the pass in progress', async () => {
    let running = 0;
    let overlapped = false;
    let passes = 0;
    const job = new IntervalJob({
      name: 'test',
      intervalMs: 5,
      logger,
      run: async () => {
        running += 1;
        overlapped ||= running > 1;
        passes += 1;
        await sleep(15);
        running -= 1;
        if (passes === 1) throw new Error('first pass fails');
      },
    });
    job.start();
    await Promise.all([sleep(100), job.runNow(), job.runNow()]);
    await job.stop();
    const after = passes;
    expect(running).toBe(0);
    expect(overlapped).toBe(false);
    expect(after).toBeGreaterThanOrEqual(3);
    await sleep(40);
    expect(passes).toBe(after);
  });
});

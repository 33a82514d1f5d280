import { describe, expect, it } from '@jest/globals';
import { checkWithin } from './readiness.js';

describe('checkWithin (one readiness check with a time budget)', () => {
  it('passes on what the check answers in time', async () => {
    await expect(checkWithin(async () => true)).resolves.toBe(true);
    await expect(checkWithin(async () => false)).resolves.toBe(false);
  });

  it('counts a throwing check as failed', async () => {
    await expect(
      checkWithin(async () => {
        throw new Error('connection refused');
      }),
    ).resolves.toBe(false);
  });

  it('counts a check that does not answer within the budget as failed, without waiting for it', async () => {
    // The check never settles: waiting for it would hang the test.
    const never = () => new Promise<boolean>(() => undefined);
    await expect(checkWithin(never, 50)).resolves.toBe(false);
  });
});

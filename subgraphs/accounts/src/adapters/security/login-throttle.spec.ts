import { afterEach, describe, expect, it } from '@jest/globals';
import { MemoryStore } from '@marketplace/platform';
import { StoreRegistrationThrottle } from './login-throttle.js';

// The embedded profile's store; the integration test runs the same throttle on Redis.
describe('StoreRegistrationThrottle on the in-memory store', () => {
  const stores: MemoryStore[] = [];
  afterEach(() => Promise.all(stores.splice(0).map((s) => s.close())));
  const throttle = () => {
    const store = new MemoryStore();
    stores.push(store);
    return new StoreRegistrationThrottle(store, { maxPerClient: 10, windowSeconds: 3600 });
  };

  it('admits 10 registrations of one client at once and refuses the 11th until the window ends', async () => {
    const registrations = throttle();
    const answers = await Promise.all(Array.from({ length: 11 }, () => registrations.begin('198.51.100.1')));
    const refused = answers.filter((a) => 'retryAfterSeconds' in a);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toEqual({ retryAfterSeconds: expect.any(Number) });
    expect((refused[0] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(3500);
    // Another client has its own allowance.
    expect('done' in (await registrations.begin('198.51.100.2'))).toBe(true);
  });

  it('gives the count back for a registration that created no account', async () => {
    const registrations = throttle();
    for (let i = 0; i < 10; i++) {
      const admitted = await registrations.begin('198.51.100.3');
      if (!('done' in admitted)) throw new Error('refused too early');
      await admitted.done(i >= 5);
    }
    // 5 created, 5 given back: five more fit, the sixth does not.
    for (let i = 0; i < 5; i++) expect('done' in (await registrations.begin('198.51.100.3'))).toBe(true);
    expect(await registrations.begin('198.51.100.3')).toEqual({ retryAfterSeconds: expect.any(Number) });
  });
});

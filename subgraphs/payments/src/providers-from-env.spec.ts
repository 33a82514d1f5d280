import { describe, expect, it } from '@jest/globals';
import { providersFromEnv } from './service.js';

describe('providersFromEnv', () => {
  it('leaves the sandbox out unless it is enabled explicitly, so production cannot take test cards', () => {
    expect(providersFromEnv({}).names()).toEqual([]);
    expect(providersFromEnv({ PAYMENTS_SANDBOX_ENABLED: 'yes' }).get('SANDBOX')).toBeUndefined();
    expect(providersFromEnv({ PAYMENTS_SANDBOX_ENABLED: 'true' }).names()).toEqual(['SANDBOX']);
  });

  it('enables Stripe and Razorpay by their keys', () => {
    const names = providersFromEnv({
      STRIPE_SECRET_KEY: 'sk_test_x',
      RAZORPAY_KEY_ID: 'rzp_test_x',
      RAZORPAY_KEY_SECRET: 'secret',
    }).names();
    expect(names.sort()).toEqual(['RAZORPAY', 'STRIPE']);
    expect(providersFromEnv({ RAZORPAY_KEY_ID: 'rzp_test_x' }).names()).toEqual([]);
  });
});

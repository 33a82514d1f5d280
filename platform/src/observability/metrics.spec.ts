import { describe, expect, it } from '@jest/globals';
import { consumerLag } from '../messaging/kafka-bus.js';
import { ServiceMetrics } from './metrics.js';

const exposition = (metrics: ServiceMetrics) => metrics.registry.metrics();

/** The value of one sample in the exposition text, whatever the order of its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort()))
      return Number(match[3]);
  }
  return undefined;
}

describe('ServiceMetrics', () => {
  it('labels every series with the service and times requests by operation type and outcome', async () => {
    const metrics = new ServiceMetrics('orders', { processMetrics: false });
    metrics.observeRequest('mutation', 'ok', 0.02);
    metrics.observeRequest('query', 'refused', 0.001);
    const text = await exposition(metrics);
    const mutation = { service: 'orders', operation_type: 'mutation', outcome: 'ok' };
    expect(sample(text, 'request_duration_seconds_count', mutation)).toBe(1);
    expect(sample(text, 'request_duration_seconds_bucket', { ...mutation, le: '0.01' })).toBe(0);
    expect(sample(text, 'request_duration_seconds_bucket', { ...mutation, le: '0.025' })).toBe(1);
    expect(
      sample(text, 'request_duration_seconds_count', {
        service: 'orders',
        operation_type: 'query',
        outcome: 'refused',
      }),
    ).toBe(1);
  });

  it('counts consumed messages by outcome, and dead letters per group', async () => {
    const metrics = new ServiceMetrics('inventory', { processMetrics: false });
    const group = 'inventory.checkout-commands';
    metrics.messageHandled(group, 'processed');
    metrics.messageHandled(group, 'dead-lettered');
    metrics.messageHandled(group, 'dead-lettered');
    const text = await exposition(metrics);
    expect(
      sample(text, 'consumer_messages_total', { service: 'inventory', group, outcome: 'processed' }),
    ).toBe(1);
    expect(
      sample(text, 'consumer_messages_total', { service: 'inventory', group, outcome: 'dead-lettered' }),
    ).toBe(2);
    expect(sample(text, 'dead_letters_total', { service: 'inventory', group })).toBe(2);
  });

  it('reads a scraped gauge at each scrape and drops label sets that went away', async () => {
    const metrics = new ServiceMetrics('checkout', { processMetrics: false });
    let samples = [
      { labels: { state: 'RUNNING' }, value: 3 },
      { labels: { state: 'FAILED' }, value: 1 },
    ];
    metrics.scrapedGauge({ name: 'sagas', help: 'sagas', labelNames: ['state'], read: async () => samples });
    const first = await exposition(metrics);
    expect(sample(first, 'sagas', { service: 'checkout', state: 'RUNNING' })).toBe(3);
    expect(sample(first, 'sagas', { service: 'checkout', state: 'FAILED' })).toBe(1);
    samples = [{ labels: { state: 'RUNNING' }, value: 0 }];
    const second = await exposition(metrics);
    expect(sample(second, 'sagas', { service: 'checkout', state: 'RUNNING' })).toBe(0);
    expect(sample(second, 'sagas', { service: 'checkout', state: 'FAILED' })).toBeUndefined();
  });

  it('answers a scrape whose reader fails with NaN for that gauge, and counts the failure', async () => {
    const metrics = new ServiceMetrics('products', { processMetrics: false });
    metrics.scrapedGauge({
      name: 'outbox_backlog',
      help: 'backlog',
      read: async () => {
        throw new Error('database is away');
      },
    });
    expect(sample(await exposition(metrics), 'outbox_backlog', { service: 'products' })).toBeNaN();
    // The counter is read in the same pass as the gauge, so the failure shows from the next scrape.
    const next = await exposition(metrics);
    expect(
      sample(next, 'metrics_scrape_errors_total', { service: 'products', metric: 'outbox_backlog' }),
    ).toBe(1);
  });

  it('includes the process metrics by default', async () => {
    const text = await exposition(new ServiceMetrics('gateway'));
    // A counter of CPU time since the registry was made: present, though it may still read 0
    // (the kernel accounts CPU time in ticks).
    expect(sample(text, 'process_cpu_user_seconds_total', { service: 'gateway' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds', { service: 'gateway' })).toBeGreaterThanOrEqual(0);
  });
});

describe('consumerLag', () => {
  it('is the distance from the committed offset to the high watermark', () => {
    expect(consumerLag('40', '45', '0')).toBe(5);
    expect(consumerLag('45', '45', '0')).toBe(0);
  });

  it('counts from the low watermark when the group never committed (-1)', () => {
    expect(consumerLag('-1', '45', '10')).toBe(35);
  });

  it('is never negative (a watermark read before the commit it races)', () => {
    expect(consumerLag('46', '45', '0')).toBe(0);
  });
});

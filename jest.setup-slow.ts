import { jest } from '@jest/globals';

// Integration and e2e tests talk to real Kafka, Postgres and Elasticsearch.
jest.setTimeout(Number(process.env.SLOW_TEST_TIMEOUT_MS ?? 90_000));

import { backoffDelay } from './backoff.js';
import { Kafka, logLevel, type Admin, type Producer, type ITopicConfig } from 'kafkajs';

export type { Kafka, Producer, Admin };

export function createKafka(clientId: string, brokers: string[]): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: process.env.KAFKAJS_LOG_LEVEL === 'debug' ? logLevel.DEBUG : logLevel.ERROR,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/**
 * Idempotent producer: the broker dedupes producer retries, and with one request in flight
 * the order of messages per partition is the order they were sent.
 */
export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  try {
    await producer.connect();
  } catch (error) {
    // A broker away: nothing of the half-made producer may go on retrying behind the caller.
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return producer;
}

/**
 * Topics are created up front: on KRaft an auto-created topic answers "no leader" for a while.
 * Waiting for leaders makes the topic usable as soon as this returns.
 */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing: ITopicConfig[] = [...new Set(topics)]
      .filter((t) => !existing.has(t))
      .map((topic) => ({ topic, numPartitions, replicationFactor: 1 }));
    if (missing.length > 0) {
      // Not `waitForLeaders`: kafkajs's wait gives up on the UNKNOWN_TOPIC_OR_PARTITION a fresh
      // topic can answer with for a moment. (A topic another service created at the same time
      // makes createTopics return false, not fail.)
      await admin.createTopics({ topics: missing, waitForLeaders: false });
    }
    // Wait until the broker serves metadata with a leader for every topic (including ones another
    // service created a moment ago), or subscribing fails with UNKNOWN_TOPIC_OR_PARTITION.
    const wanted = [...new Set(topics)];
    for (let attempt = 1; ; attempt++) {
      try {
        const { topics: described } = await admin.fetchTopicMetadata({ topics: wanted });
        if (described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
          break;
      } catch (error) {
        if (attempt >= 40) throw error;
      }
      if (attempt >= 40) throw new Error(`topics not ready: ${wanted.join(', ')}`);
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, 50, 1_000)));
    }
  } finally {
    await admin.disconnect();
  }
}

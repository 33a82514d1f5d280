import type { ITopicConfig, Kafka } from 'kafkajs';

/**
 * Creates a test's own topics with their settings (e.g. a small `max.message.bytes`), waiting for
 * their leaders; `ensureTopics` makes topics with the broker's defaults only.
 */
export async function createTestTopics(kafka: Kafka, topics: ITopicConfig[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics });
  } finally {
    await admin.disconnect();
  }
}

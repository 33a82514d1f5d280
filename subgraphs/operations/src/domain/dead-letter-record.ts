import type { ParkedMessage } from './dead-letter.js';

/** One record of a `<group>.dlt` topic, decoded to text. */
export interface DeadLetterRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

const DLT_SUFFIX = '.dlt';
const MAX_REASON = 2_000;

const intOrNull = (text: string | undefined): number | null => {
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isInteger(n) && n >= 0 ? n : null;
};

/**
 * Reads the platform consumer runner's `dlt-*` headers (code, reason, group, original topic,
 * partition and offset, attempts, failed-at). A record without them (published by hand) is
 * still kept, with what the topic name tells: it can be inspected and discarded, not replayed.
 */
export function parkedFromRecord(record: DeadLetterRecord, id: string, now: Date): ParkedMessage {
  const h = record.headers;
  const fromTopicName = record.topic.endsWith(DLT_SUFFIX)
    ? record.topic.slice(0, -DLT_SUFFIX.length)
    : record.topic;
  const failedAt = h['dlt-failed-at'] ? new Date(h['dlt-failed-at']) : null;
  return {
    id,
    dltTopic: record.topic,
    dltPartition: record.partition,
    dltOffset: record.offset,
    origin: {
      group: h['dlt-consumer-group'] || fromTopicName,
      topic: h['dlt-original-topic'] || null,
      partition: intOrNull(h['dlt-original-partition']),
      offset: h['dlt-original-offset'] || null,
    },
    key: record.key,
    value: record.value,
    headers: h,
    code: h['dlt-code'] || 'UNKNOWN',
    reason: (h['dlt-reason'] || 'no reason recorded').slice(0, MAX_REASON),
    attempts: intOrNull(h['dlt-attempts']) ?? 0,
    failedAt: failedAt && !Number.isNaN(failedAt.getTime()) ? failedAt : now,
    receivedAt: now,
  };
}

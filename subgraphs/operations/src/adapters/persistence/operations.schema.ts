import { Migration } from '@mikro-orm/migrations';
import { mapEntity } from '@marketplace/platform';
import { DeadLetter } from '../../domain/dead-letter.js';
import { RebuildJob } from '../../domain/rebuild-job.js';

/** A dead letter as stored: its fields by name, private ones included (checked by the compiler). */
export type DeadLetterRow = Pick<
  DeadLetter,
  | 'id'
  | 'dltTopic'
  | 'dltPartition'
  | 'dltOffset'
  | 'group'
  | 'originalTopic'
  | 'originalPartition'
  | 'originalOffset'
  | 'key'
  | 'value'
  | 'headers'
  | 'code'
  | 'reason'
  | 'attempts'
  | 'failedAt'
  | 'receivedAt'
> & {
  _status: DeadLetter['_status'];
  _decidedAt: DeadLetter['_decidedAt'];
  _decidedBy: DeadLetter['_decidedBy'];
  _discardReason: DeadLetter['_discardReason'];
  _replayMessageId: DeadLetter['_replayMessageId'];
};

/** A rebuild job as stored: its fields by name, private ones included (checked by the compiler). */
export type RebuildJobRow = Pick<RebuildJob, 'id' | 'readModel' | 'requestedBy' | 'requestedAt'> & {
  _status: RebuildJob['_status'];
  _startedAt: RebuildJob['_startedAt'];
  _finishedAt: RebuildJob['_finishedAt'];
  _detail: RebuildJob['_detail'];
  _errorCode: RebuildJob['_errorCode'];
};

/** Maps the domain classes without decorators; MikroORM hydrates them without running constructors. */
export const DeadLetterSchema = mapEntity<DeadLetterRow>(DeadLetter, {
  tableName: 'dead_letter',
  properties: {
    id: { type: 'uuid', primary: true },
    dltTopic: { type: 'text' },
    dltPartition: { type: 'integer' },
    dltOffset: { type: 'text' },
    group: { type: 'text', fieldName: 'consumer_group' },
    originalTopic: { type: 'text', nullable: true },
    originalPartition: { type: 'integer', nullable: true },
    originalOffset: { type: 'text', nullable: true },
    key: { type: 'text', fieldName: 'message_key', nullable: true },
    value: { type: 'text', fieldName: 'message_value', nullable: true },
    headers: { type: 'json' },
    code: { type: 'text' },
    reason: { type: 'text' },
    attempts: { type: 'integer' },
    failedAt: { type: 'datetime' },
    receivedAt: { type: 'datetime' },
    _status: { type: 'text', fieldName: 'status' },
    _decidedAt: { type: 'datetime', fieldName: 'decided_at', nullable: true },
    _decidedBy: { type: 'text', fieldName: 'decided_by', nullable: true },
    _discardReason: { type: 'text', fieldName: 'discard_reason', nullable: true },
    _replayMessageId: { type: 'uuid', fieldName: 'replay_message_id', nullable: true },
  },
});

export const RebuildJobSchema = mapEntity<RebuildJobRow>(RebuildJob, {
  tableName: 'rebuild_job',
  properties: {
    id: { type: 'uuid', primary: true },
    readModel: { type: 'text' },
    requestedBy: { type: 'text' },
    requestedAt: { type: 'datetime' },
    _status: { type: 'text', fieldName: 'status' },
    _startedAt: { type: 'datetime', fieldName: 'started_at', nullable: true },
    _finishedAt: { type: 'datetime', fieldName: 'finished_at', nullable: true },
    _detail: { type: 'text', fieldName: 'detail', nullable: true },
    _errorCode: { type: 'text', fieldName: 'error_code', nullable: true },
  },
});

export const operationsEntities = [DeadLetterSchema, RebuildJobSchema];

export class Migration20261122000100CreateOperations extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table dead_letter (
        id uuid primary key,
        dlt_topic text not null,
        dlt_partition int not null,
        dlt_offset text not null,
        consumer_group text not null,
        original_topic text null,
        original_partition int null,
        original_offset text null,
        message_key text null,
        message_value text null,
        headers jsonb not null,
        code text not null,
        reason text not null,
        attempts int not null,
        failed_at timestamptz not null,
        received_at timestamptz not null,
        status text not null check (status in ('NEW', 'REPLAYED', 'DISCARDED')),
        decided_at timestamptz null,
        decided_by text null,
        discard_reason text null,
        replay_message_id uuid null,
        -- A record of a dead-letter topic is parked once, however often it is delivered.
        constraint dead_letter_record_uq unique (dlt_topic, dlt_partition, dlt_offset),
        constraint dead_letter_decision_ck check ((status = 'NEW') = (decided_at is null)),
        constraint dead_letter_replay_ck check ((status = 'REPLAYED') = (replay_message_id is not null))
      )`);
    // The admin listing: newest first (ids are time-ordered uuidv7), optionally by status or group.
    this.addSql('create index dead_letter_status_idx on dead_letter (status, id desc)');
    this.addSql('create index dead_letter_group_idx on dead_letter (consumer_group, id desc)');
    this.addSql(`
      create table rebuild_job (
        id uuid primary key,
        read_model text not null check (read_model in ('SEARCH_INDEX', 'REVIEW_RATINGS')),
        requested_by text not null,
        requested_at timestamptz not null,
        status text not null check (status in ('REQUESTED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        started_at timestamptz null,
        finished_at timestamptz null,
        detail text null,
        error_code text null
      )`);
  }
}

export const operationsMigrations = [
  { name: 'Migration20261122000100CreateOperations', class: Migration20261122000100CreateOperations },
];

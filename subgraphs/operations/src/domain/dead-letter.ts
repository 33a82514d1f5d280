import {
  closedSet,
  domainError,
  Guard,
  err,
  ok,
  StateMachine,
  type DomainError,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

/**
 * NEW: parked, waiting for an admin. REPLAYED: sent back to its original topic (a second failure
 * parks it again as a new dead letter). DISCARDED: an admin decided it is not worth replaying.
 */
export const DEAD_LETTER_STATUS = closedSet('DeadLetterStatus', ['NEW', 'REPLAYED', 'DISCARDED']);
export type DeadLetterStatus = MemberOf<typeof DEAD_LETTER_STATUS>;

export const deadLetterStatus = new StateMachine<DeadLetterStatus>('DEAD_LETTER', {
  NEW: ['REPLAYED', 'DISCARDED'],
  REPLAYED: [],
  DISCARDED: [],
});

export const DeadLetterErrors = {
  notFound: (): DomainError => domainError('DEAD_LETTER.NOT_FOUND', 'No such dead letter'),
  alreadyReplayed: (): DomainError =>
    domainError('DEAD_LETTER.ALREADY_REPLAYED', 'This dead letter was replayed already'),
  discarded: (): DomainError => domainError('DEAD_LETTER.DISCARDED', 'This dead letter was discarded'),
  notReplayable: (why: string): DomainError =>
    domainError('DEAD_LETTER.NOT_REPLAYABLE', `This dead letter cannot be replayed: ${why}`),
  reasonRequired: (): DomainError =>
    domainError('DEAD_LETTER.REASON_REQUIRED', 'Say why it is discarded (1 to 500 characters)', 'reason'),
};

/** Where a consumer found the message it gave up on, as its `dlt-*` headers say. */
export interface DeadLetterOrigin {
  /** The consumer group that failed it, e.g. `search.indexer`. */
  group: string;
  /** Null when the message reached the dead-letter topic without the runner's headers. */
  topic: string | null;
  partition: number | null;
  offset: string | null;
}

/** What was parked: one Kafka record of a `<group>.dlt` topic and the runner's verdict. */
export interface ParkedMessage {
  id: string;
  /** The record's own address, unique: ingesting it twice is a no-op. */
  dltTopic: string;
  dltPartition: number;
  dltOffset: string;
  origin: DeadLetterOrigin;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  code: string;
  reason: string;
  attempts: number;
  failedAt: Date;
  receivedAt: Date;
}

/** What a replay sends: the original record, to the original topic, under the original key. */
export interface Replay {
  topic: string;
  key: string | null;
  value: string;
}

/**
 * A message a consumer gave up on. Admins inspect it, then replay it (once) or discard it.
 * The message itself is immutable; only its status and the decision's trail change.
 */
export class DeadLetter {
  readonly id!: string;
  readonly dltTopic!: string;
  readonly dltPartition!: number;
  readonly dltOffset!: string;
  readonly group!: string;
  readonly originalTopic!: string | null;
  readonly originalPartition!: number | null;
  readonly originalOffset!: string | null;
  readonly key!: string | null;
  readonly value!: string | null;
  readonly headers!: Record<string, string>;
  readonly code!: string;
  readonly reason!: string;
  readonly attempts!: number;
  readonly failedAt!: Date;
  readonly receivedAt!: Date;
  private _status!: DeadLetterStatus;
  private _decidedAt!: Date | null;
  private _decidedBy!: string | null;
  private _discardReason!: string | null;
  private _replayMessageId!: string | null;

  static park(m: ParkedMessage): DeadLetter {
    return Object.assign(Object.create(DeadLetter.prototype) as DeadLetter, {
      id: m.id,
      dltTopic: m.dltTopic,
      dltPartition: m.dltPartition,
      dltOffset: m.dltOffset,
      group: m.origin.group,
      originalTopic: m.origin.topic,
      originalPartition: m.origin.partition,
      originalOffset: m.origin.offset,
      key: m.key,
      value: m.value,
      headers: m.headers,
      code: m.code,
      reason: m.reason,
      attempts: m.attempts,
      failedAt: m.failedAt,
      receivedAt: m.receivedAt,
      _status: 'NEW',
      _decidedAt: null,
      _decidedBy: null,
      _discardReason: null,
      _replayMessageId: null,
    });
  }

  get status(): DeadLetterStatus {
    return this._status;
  }
  get decidedAt(): Date | null {
    return this._decidedAt;
  }
  get decidedBy(): string | null {
    return this._decidedBy;
  }
  get discardReason(): string | null {
    return this._discardReason;
  }
  /** The id of the message the replay published (the outbox row), for tracing it downstream. */
  get replayMessageId(): string | null {
    return this._replayMessageId;
  }

  /**
   * NEW → REPLAYED: returns what to publish. The caller publishes it in the same transaction
   * (through the outbox), so the status never says REPLAYED for a message that was not sent.
   */
  replay(by: string, now: Date, messageId: string): Result<Replay> {
    const allowed = this.transition('REPLAYED');
    if (!allowed.ok) return allowed;
    if (!this.originalTopic) return err(DeadLetterErrors.notReplayable('its original topic is unknown'));
    if (this.value === null) return err(DeadLetterErrors.notReplayable('it has no value'));
    this.decide(allowed.value, by, now);
    this._replayMessageId = messageId;
    return ok({ topic: this.originalTopic, key: this.key, value: this.value });
  }

  /** NEW → DISCARDED, with the admin's reason. */
  discard(by: string, reason: string, now: Date): Result<void> {
    const allowed = this.transition('DISCARDED');
    if (!allowed.ok) return allowed;
    // The shared free-text rule (no control or bidi characters); the length keeps this code.
    const checked = Guard.text('reason', reason, { min: 0, max: Number.MAX_SAFE_INTEGER, multiline: true });
    if (!checked.ok) return checked;
    const length = [...checked.value].length;
    if (length < 1 || length > 500) return err(DeadLetterErrors.reasonRequired());
    this.decide(allowed.value, by, now);
    this._discardReason = checked.value;
    return ok(undefined);
  }

  /**
   * The transition table's answer for the move; clearer codes than INVALID_TRANSITION for the two
   * decisions an admin can collide with. Only a status the table allowed is ever stored (`decide`).
   */
  private transition(to: DeadLetterStatus): Result<DeadLetterStatus> {
    if (this._status === 'REPLAYED') return err(DeadLetterErrors.alreadyReplayed());
    if (this._status === 'DISCARDED') return err(DeadLetterErrors.discarded());
    return deadLetterStatus.transition(this._status, to);
  }

  private decide(status: DeadLetterStatus, by: string, now: Date): void {
    this._status = status;
    this._decidedAt = now;
    this._decidedBy = by;
  }
}

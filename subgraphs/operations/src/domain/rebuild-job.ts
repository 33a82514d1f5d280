import {
  AggregateRoot,
  closedSet,
  domainError,
  ok,
  StateMachine,
  type MemberOf,
  type Result,
} from '@marketplace/shared-kernel';

/** The read models an admin can rebuild, each from its owner's own data. */
export const READ_MODEL = closedSet('ReadModel', ['SEARCH_INDEX', 'REVIEW_RATINGS']);
export type ReadModel = MemberOf<typeof READ_MODEL>;
export const READ_MODELS: readonly ReadModel[] = READ_MODEL.values;

/**
 * REQUESTED: the command is on its way to the owner. RUNNING: the owner started. SUCCEEDED /
 * FAILED: the owner's verdict. A reply may overtake another (they share the job's key, so they
 * do not), or the started reply may be missing, hence REQUESTED -> SUCCEEDED | FAILED.
 */
export const REBUILD_STATUS = closedSet('RebuildStatus', ['REQUESTED', 'RUNNING', 'SUCCEEDED', 'FAILED']);
export type RebuildStatus = MemberOf<typeof REBUILD_STATUS>;

export const rebuildStatus = new StateMachine<RebuildStatus>('REBUILD_JOB', {
  REQUESTED: ['RUNNING', 'SUCCEEDED', 'FAILED'],
  RUNNING: ['SUCCEEDED', 'FAILED'],
  SUCCEEDED: [],
  FAILED: [],
});

export const RebuildErrors = {
  unknownReadModel: (name: string) =>
    domainError(
      'REBUILD.UNKNOWN_READ_MODEL',
      `No read model ${name}: ${READ_MODELS.join(', ')}`,
      'readModel',
    ),
};

/** What an owner answered, mapped from its reply event. */
export type RebuildReply =
  | { kind: 'STARTED'; at: Date }
  | { kind: 'COMPLETED'; at: Date; detail: string }
  | { kind: 'FAILED'; at: Date; code: string; message: string };

/**
 * An admin's request to rebuild a read model, followed through the owner's replies. Requesting
 * records the command to the owner (`operations.rebuild-read-model`), sent through the outbox.
 */
export class RebuildJob extends AggregateRoot<{
  'operations.rebuild-read-model@1': { jobId: string; readModel: ReadModel; requestedBy: string };
}> {
  readonly id!: string;
  readonly readModel!: ReadModel;
  readonly requestedBy!: string;
  readonly requestedAt!: Date;
  private _status!: RebuildStatus;
  private _startedAt!: Date | null;
  private _finishedAt!: Date | null;
  private _detail!: string | null;
  private _errorCode!: string | null;

  static request(id: string, readModel: ReadModel, requestedBy: string, now: Date): RebuildJob {
    const job: RebuildJob = Object.assign(
      Object.create(RebuildJob.prototype) as RebuildJob,
      {
        id,
        readModel,
        requestedBy,
        requestedAt: now,
        _status: 'REQUESTED',
        _startedAt: null,
        _finishedAt: null,
        _detail: null,
        _errorCode: null,
      } as object,
    );
    job.raise('operations.rebuild-read-model@1', { jobId: id, readModel, requestedBy }, { occurredAt: now });
    return job;
  }

  get status(): RebuildStatus {
    return this._status;
  }
  get startedAt(): Date | null {
    return this._startedAt;
  }
  get finishedAt(): Date | null {
    return this._finishedAt;
  }
  /** What the owner did, or why it failed (`code: message`). */
  get detail(): string | null {
    return this._detail;
  }
  get errorCode(): string | null {
    return this._errorCode;
  }

  /** Applies an owner's reply; a reply the job is past (a redelivery, a late one) changes nothing. */
  apply(reply: RebuildReply): Result<'applied' | 'ignored'> {
    const to: RebuildStatus =
      reply.kind === 'STARTED' ? 'RUNNING' : reply.kind === 'COMPLETED' ? 'SUCCEEDED' : 'FAILED';
    const moved = rebuildStatus.transition(this._status, to);
    if (!moved.ok) return ok('ignored');
    this._status = moved.value;
    if (reply.kind === 'STARTED') this._startedAt = reply.at;
    else {
      this._finishedAt = reply.at;
      this._startedAt ??= reply.at;
      if (reply.kind === 'COMPLETED') this._detail = reply.detail;
      else {
        this._errorCode = reply.code;
        this._detail = `${reply.code}: ${reply.message}`;
      }
    }
    return ok('applied');
  }
}

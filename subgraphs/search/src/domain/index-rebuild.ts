import { AggregateRoot } from '@marketplace/shared-kernel';

/** The read model search owns in operations' rebuild jobs. */
export const SEARCH_INDEX = 'SEARCH_INDEX';

/**
 * Operations' rebuild job as search runs it: once the new index is behind the alias (or the
 * rebuild failed) the job raises its outcome, a reply to operations keyed by the job's id.
 * Nothing of it is stored here: the job's state is operations'.
 */
export class IndexRebuild extends AggregateRoot<{
  'operations.rebuild-completed@1': {
    jobId: string;
    readModel: typeof SEARCH_INDEX;
    finishedAt: string;
    detail: string;
  };
  'operations.rebuild-failed@1': {
    jobId: string;
    readModel: typeof SEARCH_INDEX;
    finishedAt: string;
    code: string;
    message: string;
  };
}> {
  constructor(readonly id: string) {
    super();
  }

  /** Operations' aggregate: the replies are about its job. */
  protected override get aggregateType(): string {
    return 'RebuildJob';
  }

  completed(detail: string, at: Date): void {
    this.raise(
      'operations.rebuild-completed@1',
      { jobId: this.id, readModel: SEARCH_INDEX, finishedAt: at.toISOString(), detail },
      { occurredAt: at },
    );
  }

  failed(code: string, message: string, at: Date): void {
    this.raise(
      'operations.rebuild-failed@1',
      { jobId: this.id, readModel: SEARCH_INDEX, finishedAt: at.toISOString(), code, message },
      { occurredAt: at },
    );
  }
}

import {
  AggregateRoot,
  Guard,
  StateMachine,
  closedSet,
  combine,
  domainError,
  err,
  newId,
  ok,
  type MemberOf,
  type Result,
  type TransitionTable,
} from '@marketplace/shared-kernel';

export const REVIEW_STATUS = closedSet('ReviewStatus', ['PUBLISHED', 'HIDDEN'] as const);
export type ReviewStatus = MemberOf<typeof REVIEW_STATUS>;

/** Moderation is the only way out of PUBLISHED, and restoring the only way back. */
export const REVIEW_TRANSITIONS: TransitionTable<ReviewStatus> = {
  PUBLISHED: ['HIDDEN'],
  HIDDEN: ['PUBLISHED'],
};
const machine = new StateMachine<ReviewStatus>('REVIEW', REVIEW_TRANSITIONS);

export const MAX_TITLE = 120;
export const MAX_COMMENT = 2_000;
export const MAX_REASON = 500;

export const ReviewErrors = {
  invalidStars: () =>
    domainError('REVIEW.INVALID_STARS', 'Stars must be a whole number from 1 to 5', 'stars'),
  titleTooLong: () =>
    domainError('REVIEW.TEXT_TOO_LONG', `The title may have at most ${MAX_TITLE} characters`, 'title'),
  commentTooLong: () =>
    domainError('REVIEW.TEXT_TOO_LONG', `The comment may have at most ${MAX_COMMENT} characters`, 'comment'),
  reasonRequired: () =>
    domainError('REVIEW.REASON_REQUIRED', `Give a reason of 1 to ${MAX_REASON} characters`, 'reason'),
  notEligible: () =>
    domainError('REVIEW.NOT_ELIGIBLE', 'Only a buyer who received this product can review it', 'productId'),
  notFound: () => domainError('REVIEW.NOT_FOUND', 'No such review', 'id'),
} as const;

/** What the buyer writes; blank texts count as absent. */
export interface ReviewText {
  stars: number;
  title?: string | null;
  comment?: string | null;
}

export interface ValidReviewText {
  stars: number;
  title: string | null;
  comment: string | null;
}

/**
 * The shared free-text rule (NFC, trimmed, no control, bidi or zero-width characters); the
 * lengths are checked below with this aggregate's own codes. Blank is null.
 */
const optionalText = (field: string, text: string | null | undefined, multiline: boolean) => {
  const checked = Guard.text(field, text ?? '', { min: 0, max: Number.MAX_SAFE_INTEGER, multiline });
  return checked.ok && checked.value === '' ? ok(null) : checked;
};

/** Length in characters as a reader counts them (code points, so an emoji is one). */
const lengthOf = (text: string) => [...text].length;

export function validateReviewText(input: ReviewText): Result<ValidReviewText> {
  if (!Number.isInteger(input.stars) || input.stars < 1 || input.stars > 5)
    return err(ReviewErrors.invalidStars());
  const texts = combine(
    optionalText('title', input.title, false),
    optionalText('comment', input.comment, true),
  );
  if (!texts.ok) return texts;
  const [title, comment] = texts.value;
  if (title !== null && lengthOf(title) > MAX_TITLE) return err(ReviewErrors.titleTooLong());
  if (comment !== null && lengthOf(comment) > MAX_COMMENT) return err(ReviewErrors.commentTooLong());
  return ok({ stars: input.stars, title, comment });
}

/** What a review adds to its product's and seller's rating: only published reviews count. */
export interface RatingContribution {
  sum: number;
  count: number;
}

/** Where the buyer's right to review comes from: a delivered line of the product. */
export interface Purchase {
  buyerId: string;
  productId: string;
  sellerId: string;
  orderId: string;
  /** Null when only the whole order's completion is known, not the parcel's delivery. */
  subOrderId: string | null;
}

/**
 * One buyer's review of one product. A buyer has at most one per product: submitting again
 * edits it (the version counts the changes). Admins hide and restore it, with a reason. It
 * raises no events: its product's summary (ProductRating) announces what changed.
 */
export class Review extends AggregateRoot<Record<never, object>> {
  private constructor(
    readonly id: string,
    readonly buyerId: string,
    readonly productId: string,
    readonly sellerId: string,
    private _orderId: string,
    private _subOrderId: string | null,
    private _stars: number,
    private _title: string | null,
    private _comment: string | null,
    private _status: ReviewStatus,
    private _hiddenReason: string | null,
    private _version: number,
    readonly createdAt: Date,
    private _updatedAt: Date,
  ) {
    super();
  }

  static submit(purchase: Purchase, text: ReviewText, now: Date, id: string = newId()): Result<Review> {
    const valid = validateReviewText(text);
    if (!valid.ok) return valid;
    const { stars, title, comment } = valid.value;
    return ok(
      new Review(
        id,
        purchase.buyerId,
        purchase.productId,
        purchase.sellerId,
        purchase.orderId,
        purchase.subOrderId,
        stars,
        title,
        comment,
        'PUBLISHED',
        null,
        1,
        now,
        now,
      ),
    );
  }

  get orderId() {
    return this._orderId;
  }
  get subOrderId() {
    return this._subOrderId;
  }
  get stars() {
    return this._stars;
  }
  get title() {
    return this._title;
  }
  get comment() {
    return this._comment;
  }
  get status() {
    return this._status;
  }
  get hiddenReason() {
    return this._hiddenReason;
  }
  get version() {
    return this._version;
  }
  get updatedAt() {
    return this._updatedAt;
  }

  /** Its share of the rating summaries in its current state. */
  get contribution(): RatingContribution {
    return this._status === 'PUBLISHED' ? { sum: this._stars, count: 1 } : { sum: 0, count: 0 };
  }

  /**
   * A second submission by the same buyer: new stars and texts, and the purchase it now
   * rests on. A hidden review stays hidden; only an admin restores it.
   */
  edit(purchase: Purchase, text: ReviewText, now: Date): Result<void> {
    const valid = validateReviewText(text);
    if (!valid.ok) return valid;
    this._stars = valid.value.stars;
    this._title = valid.value.title;
    this._comment = valid.value.comment;
    this._orderId = purchase.orderId;
    this._subOrderId = purchase.subOrderId;
    this.touch(now);
    return ok(undefined);
  }

  hide(reason: string, now: Date): Result<void> {
    const checked = optionalText('reason', reason, true);
    if (!checked.ok) return checked;
    const why = checked.value;
    if (why === null || lengthOf(why) > MAX_REASON) return err(ReviewErrors.reasonRequired());
    const to = machine.transition(this._status, 'HIDDEN');
    if (!to.ok) return to;
    this._status = to.value;
    this._hiddenReason = why;
    this.touch(now);
    return ok(undefined);
  }

  restore(now: Date): Result<void> {
    const to = machine.transition(this._status, 'PUBLISHED');
    if (!to.ok) return to;
    this._status = to.value;
    this._hiddenReason = null;
    this.touch(now);
    return ok(undefined);
  }

  private touch(now: Date) {
    this._version += 1;
    this._updatedAt = now;
  }
}

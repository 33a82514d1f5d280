// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, resultUnion } from '@marketplace/platform';
import { averageOf, type RatingTotals } from '../../domain/rating.js';
import { REVIEW_STATUS, type ReviewStatus } from '../../domain/review.js';

export const ReviewStatusEnum = graphqlEnum(REVIEW_STATUS, {
  description: 'PUBLISHED counts in the ratings; an admin may hide it (HIDDEN) and restore it.',
});

@Directive('@cacheControl(inheritMaxAge: true)')
@ObjectType('RatingSummary', { description: 'Average stars and number of the published reviews.' })
export class RatingSummary {
  @Field(() => Float, {
    nullable: true,
    description: 'Mean stars rounded half up to one decimal; null when count is 0.',
  })
  average!: number | null;

  @Field(() => Int)
  count!: number;

  static of(totals: RatingTotals | undefined): RatingSummary {
    const t = totals ?? { sum: 0, count: 0 };
    return Object.assign(new RatingSummary(), { average: averageOf(t), count: t.count });
  }
}

@ObjectType('Review', { description: "A buyer's rating of a product they received." })
export class ReviewNode {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  productId!: string;

  @Field(() => ID)
  sellerId!: string;

  @Field(() => Int, { description: '1 to 5.' })
  stars!: number;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => ReviewStatusEnum)
  status!: ReviewStatus;

  @Field(() => String, { nullable: true, description: 'Why an admin hid it; shown to admins only.' })
  hiddenReason!: string | null;

  @Field(() => Int, { description: 'Starts at 1; every edit or moderation adds one.' })
  version!: number;

  @Field(() => String, { description: 'ISO-8601 instant of the first submission.' })
  createdAt!: string;

  @Field(() => String, { description: 'ISO-8601 instant of the last change.' })
  updatedAt!: string;
}

@ObjectType('ReviewConnection', { description: 'A page of published reviews, newest first.' })
export class ReviewConnection {
  @Field(() => [ReviewNode]) nodes!: ReviewNode[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}

@InputType('SubmitReviewInput')
export class SubmitReviewInput {
  @Field(() => ID)
  productId!: string;

  @Field(() => Int, { description: 'A whole number from 1 to 5.' })
  stars!: number;

  @Field(() => String, { nullable: true, description: 'At most 120 characters; blank means none.' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'At most 2000 characters; blank means none.' })
  comment?: string | null;
}

@ObjectType('ReviewPayload')
export class ReviewPayload {
  @Field(() => ReviewNode)
  review!: ReviewNode;
}
export const ReviewResult = resultUnion(ReviewPayload, {
  name: 'ReviewResult',
  description:
    'The review, or why nothing changed: REVIEW.NOT_ELIGIBLE, REVIEW.INVALID_STARS, REVIEW.TEXT_TOO_LONG, REVIEW.REASON_REQUIRED, REVIEW.NOT_FOUND, REVIEW.INVALID_TRANSITION, AUTH.UNAUTHENTICATED, AUTH.FORBIDDEN.',
});

/** Reviews' view of the catalog's product: it contributes `rating` and `reviews`. */
@Directive('@key(fields: "id")')
// Public, like the catalog it decorates: a new review shows within a minute to anonymous readers.
@Directive('@cacheControl(maxAge: 60)')
@ObjectType('Product')
export class ProductRef {
  @Field(() => ID)
  id!: string;
}

/** Reviews' view of the accounts subgraph's seller: it contributes `rating`. */
@Directive('@key(fields: "id")')
@Directive('@cacheControl(maxAge: 300)')
@ObjectType('Seller')
export class SellerRef {
  @Field(() => ID, { description: 'The seller id (= store id).' })
  id!: string;
}

// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  type NonEmptyArray,
} from 'type-graphql';
import { GraphQLError } from 'graphql';
import { isUuid, type Result } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { RatingTotals } from '../../domain/rating.js';
import type { Review } from '../../domain/review.js';
import { submitReview } from '../../application/submit-review.js';
import { hideReview, restoreReview } from '../../application/moderate-review.js';
import type { ReviewsContext } from '../../application/ports.js';
import { productTotals, publishedReviewsOf, sellerTotals } from '../persistence/reviews-store.js';
import {
  ProductRef,
  RatingSummary,
  ReviewConnection,
  ReviewNode,
  ReviewPayload,
  ReviewResult,
  SellerRef,
  SubmitReviewInput,
} from './reviews.types.js';

const reviewNode = (r: Review, ctx: RequestContext) =>
  Object.assign(new ReviewNode(), {
    id: r.id,
    productId: r.productId,
    sellerId: r.sellerId,
    stars: r.stars,
    title: r.title,
    comment: r.comment,
    status: r.status,
    hiddenReason: ctx.actor?.role === 'admin' ? r.hiddenReason : null,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  });

/**
 * Every rating read of a request goes through one DataLoader per kind: N products (or
 * sellers) in `_entities` cost one SQL statement, whatever N is.
 */
function loadRating(
  ctx: RequestContext,
  kind: 'product' | 'seller',
  id: string,
): Promise<RatingTotals | undefined> {
  if (!isUuid(id)) return Promise.resolve(undefined);
  const read = kind === 'product' ? productTotals : sellerTotals;
  return ctx.loaders
    .get<string, RatingTotals>(`${kind}Rating`, async (ids) => {
      const totals = await read(ctx.em, ids);
      return ids.map((i) => totals.get(i) ?? null);
    })
    .load(id.toLowerCase())
    .then((t) => t ?? undefined);
}

/** No I/O: the rating is loaded (batched) only when the query asks for it. */
export const productReference: ReferenceResolver<ProductRef> = (reference) =>
  Object.assign(new ProductRef(), { id: String(reference.id) });

export const sellerReference: ReferenceResolver<SellerRef> = (reference) =>
  Object.assign(new SellerRef(), { id: String(reference.id) });

const clampFirst = (first: number) => Math.min(Math.max(first, 1), 100);

async function reviewPage(
  ctx: RequestContext,
  productId: string,
  first: number,
  after: string | null | undefined,
): Promise<ReviewConnection> {
  const page = Object.assign(new ReviewConnection(), { nodes: [], endCursor: null, hasNextPage: false });
  // An omitted variable arrives as undefined, not null.
  if (after != null && !isUuid(after))
    throw new GraphQLError('after is not a cursor from this list', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  if (!isUuid(productId)) return page;
  const size = clampFirst(first);
  const rows = await publishedReviewsOf(
    ctx.em,
    productId.toLowerCase(),
    after?.toLowerCase() ?? null,
    size + 1,
  );
  const nodes = rows.slice(0, size);
  return Object.assign(page, {
    nodes: nodes.map((r) => reviewNode(r, ctx)),
    endCursor: nodes.at(-1)?.id ?? null,
    hasNextPage: rows.length > size,
  });
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function createReviewResolvers(uc: UseCases<ReviewsContext>): NonEmptyArray<Function> {
  const present = async (
    result: Promise<Result<Review>>,
    ctx: RequestContext,
  ): Promise<typeof ReviewResult> => {
    const r = await result;
    if (!r.ok) return ErrorResult.of(r.error);
    return Object.assign(new ReviewPayload(), { review: reviewNode(r.value, ctx) });
  };

  @Resolver(() => ReviewNode)
  class ReviewResolver {
    @Query(() => ReviewConnection, { description: "A product's published reviews, newest first." })
    productReviews(
      @Arg('productId', () => ID) productId: string,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<ReviewConnection> {
      return reviewPage(ctx, productId, first, after);
    }

    @Mutation(() => ReviewResult, {
      description:
        'Buyer: rate a product you received (a delivered line of it). Submitting again edits your review.',
    })
    submitReview(
      @Arg('input', () => SubmitReviewInput) input: SubmitReviewInput,
      @Ctx() ctx: RequestContext,
    ) {
      return present(submitReview(input, uc.forRequest(ctx)), ctx);
    }

    @Mutation(() => ReviewResult, {
      description: 'Admin: PUBLISHED → HIDDEN; it stops counting in the ratings.',
    })
    hideReview(
      @Arg('id', () => ID) id: string,
      @Arg('reason', () => String) reason: string,
      @Ctx() ctx: RequestContext,
    ) {
      return present(hideReview(id, reason, uc.forRequest(ctx)), ctx);
    }

    @Mutation(() => ReviewResult, { description: 'Admin: HIDDEN → PUBLISHED; it counts again.' })
    restoreReview(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
      return present(restoreReview(id, uc.forRequest(ctx)), ctx);
    }
  }

  @Resolver(() => ProductRef)
  class ProductRatingResolver {
    @FieldResolver(() => RatingSummary, { description: 'Average stars and count of the published reviews.' })
    async rating(@Root() product: ProductRef, @Ctx() ctx: RequestContext): Promise<RatingSummary> {
      return RatingSummary.of(await loadRating(ctx, 'product', product.id));
    }

    @FieldResolver(() => ReviewConnection, {
      description: 'Published reviews, newest first (one query per product: meant for a product page).',
    })
    reviews(
      @Root() product: ProductRef,
      @Arg('first', () => Int, { defaultValue: 20 }) first: number,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Ctx() ctx: RequestContext,
    ): Promise<ReviewConnection> {
      return reviewPage(ctx, product.id, first, after);
    }
  }

  @Resolver(() => SellerRef)
  class SellerRatingResolver {
    @FieldResolver(() => RatingSummary, {
      description: "Average stars and count of the published reviews of the seller's products.",
    })
    async rating(@Root() seller: SellerRef, @Ctx() ctx: RequestContext): Promise<RatingSummary> {
      return RatingSummary.of(await loadRating(ctx, 'seller', seller.id));
    }
  }

  return [ReviewResolver, ProductRatingResolver, SellerRatingResolver];
}

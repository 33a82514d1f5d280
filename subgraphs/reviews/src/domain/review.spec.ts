import { describe, expect, it } from '@jest/globals';
import {
  MAX_COMMENT,
  MAX_TITLE,
  REVIEW_TRANSITIONS,
  Review,
  validateReviewText,
  type Purchase,
} from './review.js';

const purchase: Purchase = {
  buyerId: '0190f0a0-0000-7000-8000-000000000001',
  productId: '0190f0a0-0000-7000-8000-000000000002',
  sellerId: '0190f0a0-0000-7000-8000-000000000003',
  orderId: '0190f0a0-0000-7000-8000-000000000004',
  subOrderId: '0190f0a0-0000-7000-8000-000000000005',
};
const t0 = new Date('2026-11-01T10:00:00Z');
const t1 = new Date('2026-11-02T10:00:00Z');

const submitted = (stars = 4) => {
  const r = Review.submit(purchase, { stars, title: 'Good', comment: 'Works' }, t0);
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
};

describe('review text', () => {
  it.each([0, 6, 3.5, -1, Number.NaN])('refuses %p stars', (stars) => {
    const r = validateReviewText({ stars });
    expect(r).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'REVIEW.INVALID_STARS', field: 'stars' }),
    });
  });

  it('accepts 1 to 5 stars, trims texts and treats blanks as absent', () => {
    for (const stars of [1, 2, 3, 4, 5]) expect(validateReviewText({ stars }).ok).toBe(true);
    expect(validateReviewText({ stars: 5, title: '  Great  ', comment: '   ' })).toEqual({
      ok: true,
      value: { stars: 5, title: 'Great', comment: null },
    });
  });

  it('limits the title to 120 and the comment to 2000 characters, counting an emoji as one', () => {
    expect(validateReviewText({ stars: 3, title: '😀'.repeat(MAX_TITLE) }).ok).toBe(true);
    expect(validateReviewText({ stars: 3, title: 'x'.repeat(MAX_TITLE + 1) })).toMatchObject({
      error: { code: 'REVIEW.TEXT_TOO_LONG', field: 'title' },
    });
    expect(validateReviewText({ stars: 3, comment: 'x'.repeat(MAX_COMMENT) }).ok).toBe(true);
    expect(validateReviewText({ stars: 3, comment: 'x'.repeat(MAX_COMMENT + 1) })).toMatchObject({
      error: { code: 'REVIEW.TEXT_TOO_LONG', field: 'comment' },
    });
  });

  it('keeps line breaks in the comment only, and refuses control and bidi characters', () => {
    expect(validateReviewText({ stars: 4, comment: 'Good.\r\nWould buy again.' })).toMatchObject({
      value: { comment: 'Good.\nWould buy again.' },
    });
    for (const [title, comment, field] of [
      ['Great\nvalue', null, 'title'],
      ['Great', 'Fine\u0000', 'comment'],
      ['\u202eGreat', null, 'title'],
      ['Great', '\u001b[2Jcleared', 'comment'],
    ] as const) {
      expect(validateReviewText({ stars: 4, title, comment })).toMatchObject({
        error: { code: 'VALIDATION.CONTROL_CHARACTERS', field },
      });
    }
  });
});

describe('Review', () => {
  it('is published at version 1 and counts its stars', () => {
    const review = submitted(4);
    expect(review).toMatchObject({
      status: 'PUBLISHED',
      version: 1,
      stars: 4,
      title: 'Good',
      hiddenReason: null,
    });
    expect(review.contribution).toEqual({ sum: 4, count: 1 });
  });

  it('is edited by a second submission: new stars and purchase, one version more', () => {
    const review = submitted(4);
    const later = { ...purchase, orderId: '0190f0a0-0000-7000-8000-0000000000aa', subOrderId: null };
    expect(review.edit(later, { stars: 2, title: null, comment: 'Broke after a week' }, t1).ok).toBe(true);
    expect(review).toMatchObject({
      stars: 2,
      title: null,
      comment: 'Broke after a week',
      orderId: later.orderId,
      subOrderId: null,
      version: 2,
      updatedAt: t1,
      createdAt: t0,
    });
  });

  it('keeps everything when an edit is invalid', () => {
    const review = submitted(4);
    expect(review.edit(purchase, { stars: 9 }, t1)).toMatchObject({
      ok: false,
      error: { code: 'REVIEW.INVALID_STARS' },
    });
    expect(review).toMatchObject({ stars: 4, version: 1, title: 'Good' });
  });

  it('follows its transition table: PUBLISHED ⇄ HIDDEN', () => {
    expect(REVIEW_TRANSITIONS).toEqual({ PUBLISHED: ['HIDDEN'], HIDDEN: ['PUBLISHED'] });
    const review = submitted(5);
    expect(review.restore(t1)).toMatchObject({ ok: false, error: { code: 'REVIEW.INVALID_TRANSITION' } });
    expect(review.hide('  spam  ', t1).ok).toBe(true);
    expect(review).toMatchObject({ status: 'HIDDEN', hiddenReason: 'spam', version: 2 });
    expect(review.contribution).toEqual({ sum: 0, count: 0 });
    expect(review.hide('again', t1)).toMatchObject({
      ok: false,
      error: { code: 'REVIEW.INVALID_TRANSITION' },
    });
    expect(review.restore(t1).ok).toBe(true);
    expect(review).toMatchObject({ status: 'PUBLISHED', hiddenReason: null, version: 3 });
    expect(review.contribution).toEqual({ sum: 5, count: 1 });
  });

  it('needs a reason to hide', () => {
    const review = submitted(5);
    expect(review.hide('   ', t1)).toMatchObject({ ok: false, error: { code: 'REVIEW.REASON_REQUIRED' } });
    expect(review.hide('x'.repeat(501), t1)).toMatchObject({
      ok: false,
      error: { code: 'REVIEW.REASON_REQUIRED' },
    });
    expect(review.status).toBe('PUBLISHED');
  });

  it('stays hidden when its buyer edits it', () => {
    const review = submitted(5);
    review.hide('off-topic', t1);
    expect(review.edit(purchase, { stars: 1 }, t1).ok).toBe(true);
    expect(review).toMatchObject({ status: 'HIDDEN', stars: 1 });
    expect(review.contribution).toEqual({ sum: 0, count: 0 });
  });
});

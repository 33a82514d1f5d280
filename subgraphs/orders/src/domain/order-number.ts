/**
 * What buyers, sellers and support call an order: `MP-` and 8 Crockford base32 characters
 * (no I, L, O or U), e.g. `MP-7KQ2M4XD`; its sub-orders add their place, `MP-7KQ2M4XD-1`.
 *
 * The number is a bijection of a database sequence value, so two orders never share one (the
 * column is unique as well). The 40-bit sequence value goes through a 4-round Feistel network
 * before it is written out: consecutive orders get unrelated-looking numbers, so one number does
 * not tell the next (access rules, not secrecy of numbers, keep orders private).
 */
export const ORDER_NUMBER_PREFIX = 'MP-';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const HALF_BITS = 20;
const HALF_MASK = (1 << HALF_BITS) - 1;
const ROUND_KEYS = [0x5bd1e, 0x3c6ef, 0xa54ff, 0x1f83d] as const;
/** 2^40: the sequence values that have a number. */
export const ORDER_NUMBER_CAPACITY = 2 ** (2 * HALF_BITS);

const round = (half: number, key: number) =>
  ((Math.imul(half ^ key, 0x2c1b3c6d) >>> 0) ^ (half >>> 7) ^ key) & HALF_MASK;

function permute(value: number): number {
  let left = Math.floor(value / 2 ** HALF_BITS);
  let right = value % 2 ** HALF_BITS;
  for (const key of ROUND_KEYS) [left, right] = [right, left ^ round(right, key)];
  return left * 2 ** HALF_BITS + right;
}

/** The number of the order that drew `sequence` (1, 2, ... below 2^40) from the sequence. */
export function orderNumberOf(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence >= ORDER_NUMBER_CAPACITY)
    throw new RangeError(`No order number for sequence value ${sequence}`);
  let rest = permute(sequence);
  let digits = '';
  for (let i = 0; i < 8; i += 1) {
    digits = ALPHABET[rest % 32] + digits;
    rest = Math.floor(rest / 32);
  }
  return ORDER_NUMBER_PREFIX + digits;
}

/** A sub-order's number: the order's and its place among the order's sub-orders (from 1). */
export const subOrderNumberOf = (orderNumber: string, index: number) => `${orderNumber}-${index + 1}`;

const SHAPE = /^MP-[0-9A-HJKMNP-TV-Z]{8}(-[1-9][0-9]{0,2})?$/;

/**
 * What someone typed, as stored: upper case, spaces dropped, the prefix optional, and the
 * characters Crockford base32 reads alike mapped (O → 0, I and L → 1). Null when it cannot be an
 * order or sub-order number (then nothing is looked up).
 */
export function normalizeOrderNumber(input: string): { number: string; subOrder: boolean } | null {
  let text = input.replace(/[\s#]/g, '').toUpperCase();
  if (text.startsWith(ORDER_NUMBER_PREFIX)) text = text.slice(ORDER_NUMBER_PREFIX.length);
  const [typed = '', place, ...rest] = text.split('-');
  if (rest.length > 0) return null;
  const code = typed.length === 10 && typed.startsWith('MP') ? typed.slice(2) : typed;
  const digits = code.replace(/O/g, '0').replace(/[IL]/g, '1');
  const number = ORDER_NUMBER_PREFIX + digits + (place === undefined ? '' : `-${place}`);
  return SHAPE.test(number) ? { number, subOrder: place !== undefined } : null;
}

/**
 * Static, deterministic data of the four peer-workload subgraphs. The proportions follow the
 * public benchmark (6 users, 9 products, top 5 products, a dozen reviews); review bodies are
 * generated text whose length is tuned so one response of the test query is about 88 KB.
 */
export interface PeerUser {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
export interface PeerProduct {
  upc: string;
  name: string;
  price: number;
  weight: number;
  inStock: boolean;
}
export interface PeerReview {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

const FIRST = ['Ada', 'Brook', 'Cyril', 'Dana', 'Emil', 'Freya'];
const LAST = ['Lindqvist', 'Okafor', 'Moreau', 'Tanaka', 'Novak', 'Alvarez'];
export const USERS: PeerUser[] = FIRST.map((first, i) => ({
  id: String(i + 1),
  name: `${first} ${LAST[i]!}`,
  username: `${first.toLowerCase()}${i + 1}`,
  birthday: 631_152_000 + i * 86_400 * 400,
}));

const ITEMS = ['Desk', 'Bench', 'Kettle', 'Stool', 'Monitor', 'Lantern', 'Smoker', 'Freezer', 'Armchair'];
export const PRODUCTS: PeerProduct[] = ITEMS.map((name, i) => ({
  upc: String(i + 1),
  name,
  // Prices in cents straddle the free-shipping threshold; weights in grams.
  price: [749, 1_450, 25, 399, 1_890, 5_600, 4_200, 89_000, 11_500][i]!,
  weight: [120, 900, 15, 80, 1_100, 250, 1_800, 5_500, 700][i]!,
  inStock: i % 3 !== 1,
}));

const WORDS =
  'solid sturdy arrived quickly packaging careful colour matches photos assembly took minutes instructions clear would order again price fair quality better expected daily use after months still holds well recommend friends family'.split(
    ' ',
  );

/** Deterministic filler text of exactly `length` characters (a linear congruential word picker). */
function text(seed: number, length: number): string {
  let state = seed * 7919 + 17;
  let out = '';
  while (out.length < length) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    out += `${WORDS[state % WORDS.length]!} `;
  }
  return `${out.slice(0, length - 1)}.`;
}

/** Which product each review is about: the top products carry most reviews, as on a real shop. */
const REVIEWED = ['1', '1', '1', '2', '2', '2', '3', '3', '4', '5', '6', '7'];
/** Review body lengths vary between short and long; this base is what the ~88 KB response is tuned with. */
export const BODY_BASE = 465;
export const REVIEWS: PeerReview[] = REVIEWED.map((upc, i) => ({
  id: String(i + 1),
  body: text(i + 1, BODY_BASE + ((i * 131) % 360)),
  authorId: USERS[i % USERS.length]!.id,
  productUpc: upc,
}));

/** Shipping is free above 1,000 cents; otherwise it grows with the weight. */
export const shippingEstimate = (price: number, weight: number): number =>
  price > 1_000 ? 0 : Math.ceil(weight / 2);

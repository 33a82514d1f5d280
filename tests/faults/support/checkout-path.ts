import type { SubgraphName } from '@marketplace/platform/testing';

/**
 * The subgraphs a checkout runs through (cart to paid order). Search and notifications stay
 * off: fewer processes and database sessions on a shared machine, and no checkout step needs them.
 */
export const CHECKOUT_PATH: readonly SubgraphName[] = [
  'accounts',
  'products',
  'inventory',
  'cart',
  'coupons',
  'checkout',
  'orders',
  'payments',
  'shipping',
];

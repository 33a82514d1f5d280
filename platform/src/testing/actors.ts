import { newId } from '@marketplace/shared-kernel';
import type { Actor } from '../graphql/auth.js';

/** A buyer nobody else uses: fresh ids keep one test's data apart from another's. */
export const newBuyer = (): Actor => ({ userId: newId(), role: 'buyer', sellerId: null });

/** A seller: always acting for a store. */
export type SellerActor = Actor & { role: 'seller'; sellerId: string };

/** A seller with a store of its own (or of `sellerId`, for a second member of one store). */
export const newSeller = (sellerId: string = newId()): SellerActor => ({
  userId: newId(),
  role: 'seller',
  sellerId,
});

export const newAdmin = (): Actor => ({ userId: newId(), role: 'admin', sellerId: null });

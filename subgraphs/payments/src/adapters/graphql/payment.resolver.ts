// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { isUuid } from '@marketplace/shared-kernel';
import {
  ErrorResult,
  MoneyType,
  forbidden,
  orderByKeys,
  unauthenticated,
  type ReferenceResolver,
  type RequestContext,
  type UseCases,
} from '@marketplace/platform';
import type { Payment } from '../../domain/payment.js';
import { Accounts } from '../../domain/ledger.js';
import type { PaymentsContext } from '../../application/ports.js';
import {
  ledgerBalances,
  ledgerEntriesOf,
  paymentsWhere,
  reconciliationReports,
} from '../persistence/payment-store.js';
import { runReconciliation } from '../messaging/reconciliation-job.js';
import {
  AccountBalanceNode,
  LedgerBalancesNode,
  LedgerEntryNode,
  OrderRef,
  PaymentNode,
  PayoutBalanceNode,
  ReconciliationPayload,
  ReconciliationReportNode,
  ReconciliationResult,
} from './payment.types.js';

/** The buyer who paid and admins see a payment; nobody else (sellers see their payouts instead). */
export function canSee(payment: Payment, ctx: RequestContext): boolean {
  const actor = ctx.actor;
  if (!actor) return false;
  return actor.role === 'admin' || actor.userId === payment.buyerId;
}

function load(ctx: RequestContext, column: 'id' | 'order_id', key: string): Promise<Payment | null> {
  if (!isUuid(key)) return Promise.resolve(null);
  return ctx.loaders
    .get<string, Payment>(`payment_by_${column}`, async (keys) => {
      const rows = await paymentsWhere(ctx.em, column, keys);
      // The latest payment of an order wins (a retried checkout may create another).
      return orderByKeys(keys, rows, (p) => (column === 'id' ? p.id : p.orderId));
    })
    .load(key.toLowerCase());
}

export const paymentReference: ReferenceResolver<PaymentNode> = async (reference, ctx) => {
  const payment = await load(ctx, 'id', String(reference.id));
  return payment && canSee(payment, ctx) ? PaymentNode.of(payment) : null;
};

export const orderReference: ReferenceResolver<OrderRef> = (reference) =>
  Object.assign(new OrderRef(), { id: String(reference.id) });

const isAdmin = (ctx: RequestContext) => ctx.actor?.role === 'admin';
const denied = (ctx: RequestContext) => ErrorResult.of(ctx.actor ? forbidden() : unauthenticated());

export function createPaymentResolvers(uc: UseCases<PaymentsContext>) {
  @Resolver(() => PaymentNode)
  class PaymentResolver {
    @Query(() => PaymentNode, {
      nullable: true,
      description: 'A payment: its buyer or an admin; null for anyone else.',
    })
    async payment(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<PaymentNode | null> {
      const payment = await load(ctx, 'id', id);
      return payment && canSee(payment, ctx) ? PaymentNode.of(payment) : null;
    }

    @Query(() => [LedgerEntryNode], {
      description: "Admin: the order's journal entries (empty for anyone else).",
    })
    async ledgerEntries(
      @Arg('orderId', () => ID) orderId: string,
      @Ctx() ctx: RequestContext,
    ): Promise<LedgerEntryNode[]> {
      if (!isAdmin(ctx) || !isUuid(orderId)) return [];
      return (await ledgerEntriesOf(ctx.em, orderId)).map(LedgerEntryNode.of);
    }

    @Query(() => LedgerBalancesNode, {
      nullable: true,
      description: 'Admin: every account balance; null for anyone else.',
    })
    async ledgerBalances(@Ctx() ctx: RequestContext): Promise<LedgerBalancesNode | null> {
      if (!isAdmin(ctx)) return null;
      const accounts = await ledgerBalances(ctx.em);
      const net = new Map<string, number>();
      for (const a of accounts) net.set(a.currency, (net.get(a.currency) ?? 0) + a.balance);
      return Object.assign(new LedgerBalancesNode(), {
        accounts: accounts.map(AccountBalanceNode.of),
        balanced: [...net.values()].every((v) => v === 0),
      });
    }

    @Query(() => PayoutBalanceNode, {
      nullable: true,
      description: 'Seller: what the platform owes its store; null for others.',
    })
    async myPayoutBalance(@Ctx() ctx: RequestContext): Promise<PayoutBalanceNode | null> {
      const sellerId = ctx.actor?.role === 'seller' ? ctx.actor.sellerId : null;
      if (!sellerId) return null;
      const balances = await ledgerBalances(ctx.em, Accounts.sellerPayable(sellerId));
      return Object.assign(new PayoutBalanceNode(), {
        sellerId,
        balances: balances.map((b) => MoneyType.of({ amount: b.credit - b.debit, currency: b.currency })),
      });
    }

    @Query(() => [ReconciliationReportNode], { description: 'Admin: the latest reconciliation reports.' })
    async reconciliationReports(
      @Arg('first', () => Int, { defaultValue: 10 }) first: number,
      @Ctx() ctx: RequestContext,
    ): Promise<ReconciliationReportNode[]> {
      if (!isAdmin(ctx)) return [];
      const reports = await reconciliationReports(ctx.em, Math.min(Math.max(first, 1), 100));
      return reports.map((r) => Object.assign(new ReconciliationReportNode(), r));
    }

    @Mutation(() => ReconciliationResult, {
      description: 'Admin: compares provider state with local state now.',
    })
    async runReconciliation(@Ctx() ctx: RequestContext): Promise<typeof ReconciliationResult> {
      if (!isAdmin(ctx)) return denied(ctx);
      const report = await runReconciliation(uc, ctx.em);
      return Object.assign(new ReconciliationPayload(), {
        report: Object.assign(new ReconciliationReportNode(), report),
      });
    }
  }

  @Resolver(() => OrderRef)
  class OrderPaymentResolver {
    @FieldResolver(() => PaymentNode, {
      nullable: true,
      description: "The order's payment, for its buyer or an admin.",
    })
    async payment(@Root() order: OrderRef, @Ctx() ctx: RequestContext): Promise<PaymentNode | null> {
      const payment = await load(ctx, 'order_id', order.id);
      return payment && canSee(payment, ctx) ? PaymentNode.of(payment) : null;
    }
  }

  return [PaymentResolver, OrderPaymentResolver] as const;
}

// type-graphql reads decorator metadata through this polyfill.
import 'reflect-metadata';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { graphqlEnum, MoneyType, resultUnion, SafeIntScalar } from '@marketplace/platform';
import { PAYMENT_STATUS, type Payment, type PaymentStatus } from '../../domain/payment.js';
import type { AccountBalance } from '../../domain/ledger.js';
import type { LedgerEntryView } from '../../application/repository.js';

export const PaymentStatusEnum = graphqlEnum(PAYMENT_STATUS, {
  description: 'Where a payment is in its life.',
});

@ObjectType('PaymentAttempt', { description: 'One call to the payment provider.' })
export class PaymentAttemptNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'AUTHORIZE, CAPTURE, VOID or REFUND.' }) kind!: string;
  @Field(() => String, {
    description: 'STARTED (waiting for the provider), SUCCEEDED, PENDING, DECLINED or FAILED.',
  })
  outcome!: string;
  @Field(() => String, { nullable: true }) errorCode!: string | null;
  @Field(() => Date) at!: Date;
}

@ObjectType('PaymentRefund', {
  description: 'A refund of part of a payment, for one approved refund request.',
})
export class RefundNode {
  @Field(() => ID) id!: string;
  @Field(() => ID) refundRequestId!: string;
  @Field(() => ID) subOrderId!: string;
  @Field(() => MoneyType) amount!: MoneyType;
  @Field(() => String, { description: 'PENDING, SUCCEEDED or FAILED.' }) status!: string;
  @Field(() => String, { nullable: true }) failureCode!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType('Payment', {
  description: 'The payment of an order: authorized at checkout, captured on confirmation.',
})
export class PaymentNode {
  @Field(() => ID) id!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => PaymentStatusEnum) status!: PaymentStatus;
  @Field(() => MoneyType) amount!: MoneyType;
  @Field(() => MoneyType) capturedAmount!: MoneyType;
  @Field(() => MoneyType) refundedAmount!: MoneyType;
  @Field(() => String, { description: 'SANDBOX, STRIPE or RAZORPAY.' }) provider!: string;
  @Field(() => String, { nullable: true }) failureCode!: string | null;
  @Field(() => String, { nullable: true }) declineCode!: string | null;
  @Field(() => [PaymentAttemptNode]) attempts!: PaymentAttemptNode[];
  @Field(() => [RefundNode]) refunds!: RefundNode[];
  @Field(() => Int) version!: number;
  buyerId!: string;
  sellerIds!: string[];

  static of(p: Payment): PaymentNode {
    return Object.assign(new PaymentNode(), {
      id: p.id,
      orderId: p.orderId,
      status: p.status,
      amount: MoneyType.of(p.amount),
      capturedAmount: MoneyType.of(p.capturedAmount),
      refundedAmount: MoneyType.of(p.refundedAmount),
      provider: p.provider,
      failureCode: p.failureCode,
      declineCode: p.declineCode,
      version: p.version,
      buyerId: p.buyerId,
      sellerIds: p.splits.map((s) => s.sellerId),
      attempts: p.attempts.map((a) =>
        Object.assign(new PaymentAttemptNode(), {
          id: a.id,
          kind: a.kind,
          outcome: a.outcome,
          errorCode: a.errorCode,
          at: a.at,
        }),
      ),
      refunds: p.refunds.map((r) =>
        Object.assign(new RefundNode(), {
          id: r.id,
          refundRequestId: r.refundRequestId,
          subOrderId: r.subOrderId,
          amount: MoneyType.of(r.amount),
          status: r.status,
          failureCode: r.failureCode,
          createdAt: r.createdAt,
        }),
      ),
    });
  }
}

/** Payments' view of the orders subgraph's entity: it contributes `payment`. */
@Directive('@key(fields: "id")')
@ObjectType('Order')
export class OrderRef {
  @Field(() => ID) id!: string;
}

@ObjectType('LedgerLine', { description: 'One posting of a journal entry.' })
export class LedgerLineNode {
  @Field(() => String, { description: 'buyer:<id>, platform:commission or seller-payable:<sellerId>.' })
  account!: string;
  @Field(() => String, { description: 'DEBIT or CREDIT.' }) side!: string;
  @Field(() => MoneyType) amount!: MoneyType;
}

@ObjectType('LedgerEntry', { description: 'A balanced double-entry journal entry.' })
export class LedgerEntryNode {
  @Field(() => ID) id!: string;
  @Field(() => String) reference!: string;
  @Field(() => String, { description: 'CAPTURE or REFUND.' }) kind!: string;
  @Field(() => ID) paymentId!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => Date) postedAt!: Date;
  @Field(() => [LedgerLineNode]) lines!: LedgerLineNode[];

  static of(e: LedgerEntryView): LedgerEntryNode {
    return Object.assign(new LedgerEntryNode(), {
      ...e,
      lines: e.lines.map((l) =>
        Object.assign(new LedgerLineNode(), {
          account: l.account,
          side: l.side,
          amount: MoneyType.of(l.amount),
        }),
      ),
    });
  }
}

@ObjectType('LedgerAccountBalance', {
  description: 'Debits, credits and balance (debit - credit) of one account in one currency.',
})
export class AccountBalanceNode {
  @Field(() => String) account!: string;
  @Field(() => String) currency!: string;
  @Field(() => SafeIntScalar) debit!: number;
  @Field(() => SafeIntScalar) credit!: number;
  @Field(() => SafeIntScalar) balance!: number;

  static of(b: AccountBalance): AccountBalanceNode {
    return Object.assign(new AccountBalanceNode(), b);
  }
}

@ObjectType('LedgerBalances', {
  description: 'The whole ledger per account; balanced when debits equal credits in every currency.',
})
export class LedgerBalancesNode {
  @Field(() => [AccountBalanceNode]) accounts!: AccountBalanceNode[];
  @Field(() => Boolean) balanced!: boolean;
}

@ObjectType('PayoutBalance', {
  description: 'What the platform owes a seller: its payable account (credit balance).',
})
export class PayoutBalanceNode {
  @Field(() => ID) sellerId!: string;
  @Field(() => [MoneyType], { description: 'One amount per currency (credits minus debits).' })
  balances!: MoneyType[];
}

@ObjectType('ReconciliationDifference', {
  description: 'One difference between local state and the provider.',
})
export class ReconciliationDifferenceNode {
  @Field(() => ID) paymentId!: string;
  @Field(() => String) providerReference!: string;
  @Field(() => String) field!: string;
  @Field(() => String) local!: string;
  @Field(() => String) provider!: string;
}

@ObjectType('ReconciliationReport', { description: 'One reconciliation pass.' })
export class ReconciliationReportNode {
  @Field(() => ID) id!: string;
  @Field(() => Date) ranAt!: Date;
  @Field(() => Int) checked!: number;
  @Field(() => [ReconciliationDifferenceNode]) differences!: ReconciliationDifferenceNode[];
}

@ObjectType()
export class ReconciliationPayload {
  @Field(() => ReconciliationReportNode) report!: ReconciliationReportNode;
}

export const ReconciliationResult = resultUnion(ReconciliationPayload, { name: 'ReconciliationResult' });

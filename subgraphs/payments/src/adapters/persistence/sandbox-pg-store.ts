import type { Orm } from '@marketplace/platform';
import type { SandboxPayment, SandboxStore } from '../providers/sandbox-store.js';

type Row = Record<string, unknown>;

/**
 * The sandbox processor's state in Postgres (tables `sandbox_payment`, `sandbox_idempotency`).
 * Each call runs on a fresh fork outside any caller's transaction: the sandbox stands in for an
 * external processor, whose writes do not roll back with the payment's transaction.
 * `orm` is a getter because the service builds its providers before the ORM exists.
 */
export function postgresSandboxStore(orm: () => Orm): SandboxStore {
  const execute = (sql: string, params: unknown[]) =>
    orm().em.fork({ disableContextResolution: true }).execute<Row[]>(sql, params);
  return {
    getPayment: async (reference) => {
      const [row] = await execute('select state, amount from sandbox_payment where reference = ?', [
        reference,
      ]);
      return row ? { state: row.state as SandboxPayment['state'], amount: Number(row.amount) } : undefined;
    },
    putPayment: async (reference, payment) => {
      await execute(
        `insert into sandbox_payment (reference, state, amount, updated_at) values (?, ?, ?, now())
         on conflict (reference) do update set state = excluded.state, amount = excluded.amount, updated_at = now()`,
        [reference, JSON.stringify(payment.state), payment.amount],
      );
    },
    getAnswer: async (key) => {
      const [row] = await execute('select answer from sandbox_idempotency where key = ?', [key]);
      return row ? { answer: (row.answer as { value?: unknown }).value } : undefined;
    },
    putAnswer: async (key, answer) => {
      // First answer wins (a concurrent call with the same key in another process keeps the first).
      await execute(
        'insert into sandbox_idempotency (key, answer, created_at) values (?, ?, now()) on conflict (key) do nothing',
        [key, JSON.stringify({ value: answer })],
      );
      const [row] = await execute('select answer from sandbox_idempotency where key = ?', [key]);
      return { answer: (row!.answer as { value?: unknown }).value };
    },
  };
}

import type { ProviderPaymentState } from '../../application/ports.js';

/** What the sandbox processor knows about one payment (its "remote" state). */
export interface SandboxPayment {
  state: ProviderPaymentState;
  amount: number;
}

/**
 * Where the sandbox keeps its processor state. A real processor's state outlives our processes,
 * so the service uses a durable store (Postgres); the in-memory one is for unit specs.
 */
export interface SandboxStore {
  getPayment(reference: string): Promise<SandboxPayment | undefined>;
  putPayment(reference: string, payment: SandboxPayment): Promise<void>;
  /** The stored answer for an idempotency key, wrapped so a stored `undefined` (void) still counts. */
  getAnswer(key: string): Promise<{ answer: unknown } | undefined>;
  /** Keeps the first answer for a key and returns whichever answer is stored. */
  putAnswer(key: string, answer: unknown): Promise<{ answer: unknown }>;
}

export function inMemorySandboxStore(): SandboxStore {
  const payments = new Map<string, SandboxPayment>();
  const answers = new Map<string, { answer: unknown }>();
  // Copies, so callers cannot change stored state without a put (as with a database).
  const copy = <T>(v: T): T => structuredClone(v);
  return {
    getPayment: async (reference) => {
      const p = payments.get(reference);
      return p && copy(p);
    },
    putPayment: async (reference, payment) => {
      payments.set(reference, copy(payment));
    },
    getAnswer: async (key) => {
      const a = answers.get(key);
      return a && copy(a);
    },
    putAnswer: async (key, answer) => {
      if (!answers.has(key)) answers.set(key, { answer: copy(answer) });
      return copy(answers.get(key)!);
    },
  };
}

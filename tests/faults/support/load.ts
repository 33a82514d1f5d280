import { Agent, request } from 'node:http';

/** One request of a load run, as the client saw it. */
export interface Sent {
  index: number;
  /** When its last byte was handed to the kernel (`performance.now()`); unset if never written. */
  sentAt?: number;
  /** Complete answers only: status, headers and the whole body. */
  answer?: { status: number; connection: string | undefined; body: string };
  /** When the answer was complete (`performance.now()`). */
  answeredAt?: number;
  /** A failure before any answer began (`ECONNREFUSED`, `ECONNRESET`, ...). */
  refused?: string;
  /** A failure after the answer began: a cut-off response, what a graceful stop must never cause. */
  truncated?: string;
}

export interface LoadOptions {
  url: string;
  total: number;
  concurrency: number;
  /** The JSON body of request `index`. */
  body(index: number): object;
  headers?: Record<string, string>;
  /** Called once after each completed answer with the number completed so far. */
  onAnswer?(answered: number): void;
}

/**
 * A keep-alive client (one pool of `concurrency` connections, like a load balancer's to a
 * backend) that records, per request, when it was written and how it ended. `sentAt` is taken
 * from the request's `finish` event (the bytes are with the kernel), so "sent before the
 * signal" means the server could have read it, not merely that the test had meant to send it.
 */
export async function runLoad(options: LoadOptions): Promise<Sent[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const results: Sent[] = [];
  let next = 0;
  let answered = 0;
  const one = (index: number) =>
    new Promise<Sent>((resolve) => {
      const sent: Sent = { index };
      const payload = JSON.stringify(options.body(index));
      const req = request(options.url, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', ...options.headers },
      });
      let responding = false;
      req.once('finish', () => (sent.sentAt = performance.now()));
      req.once('error', (error: NodeJS.ErrnoException) => {
        // After the answer began, the response's own events tell how it ended.
        if (responding) return;
        sent.refused = error.code ?? error.message;
        resolve(sent);
      });
      req.once('response', (res) => {
        responding = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('aborted', () => (sent.truncated = 'aborted'));
        res.once('error', (error: NodeJS.ErrnoException) => (sent.truncated = error.code ?? error.message));
        res.once('close', () => {
          if (res.complete && !sent.truncated) {
            const connection = res.headers.connection;
            sent.answer = { status: res.statusCode ?? 0, connection, body: Buffer.concat(chunks).toString() };
            sent.answeredAt = performance.now();
            options.onAnswer?.(++answered);
          } else {
            sent.truncated ??= 'incomplete';
          }
          resolve(sent);
        });
      });
      req.end(payload);
    });
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.total) results.push(await one(next++));
    }),
  );
  agent.destroy();
  return results.sort((a, b) => a.index - b.index);
}

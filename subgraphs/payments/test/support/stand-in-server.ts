import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What both provider stand-ins share: an HTTP server on a free port of 127.0.0.1, and outages on demand. */
export interface StandInServer {
  readonly url: string;
  /** The next `times` requests answer this HTTP status. */
  failNext(status: number, times?: number): void;
  /** The status of a failure asked for with `failNext` that this request is to answer, if any. */
  takeFailure(): number | null;
  close(): Promise<void>;
}

export async function startStandInServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<StandInServer> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let failures: { status: number; left: number } | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    failNext(status, times = 1) {
      failures = { status, left: times };
    },
    takeFailure() {
      if (!failures || failures.left === 0) return null;
      failures.left--;
      return failures.status;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

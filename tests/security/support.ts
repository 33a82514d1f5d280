import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A transparent HTTP proxy in front of one subgraph that counts the GraphQL requests passing
 * through. The gateway is pointed at the proxies (`<NAME>_URL`), so every call it makes to a
 * subgraph is counted exactly; a request that reaches no subgraph cannot run a resolver or a
 * database statement, so "0 subgraph calls" is the honest form of "0 statements".
 */
export interface CountingProxy {
  url: string;
  /** GraphQL requests forwarded so far (health probes on other paths are not counted). */
  calls: number;
  target?: number;
  close(): Promise<void>;
}

export async function countingProxy(): Promise<CountingProxy> {
  const proxy: CountingProxy = { url: '', calls: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/graphql')) proxy.calls += 1;
    const upstream = request(
      { host: '127.0.0.1', port: proxy.target, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

/** Sum of the calls every proxy has forwarded. */
export const totalCalls = (proxies: Iterable<CountingProxy>) =>
  [...proxies].reduce((sum, p) => sum + p.calls, 0);

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // Bodies are checked field by field in the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Some refusals are not JSON; the assertions look at the text then.
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

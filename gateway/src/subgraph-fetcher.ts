import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { failSpan, injectContext, SpanKind, SpanStatusCode, startSpan } from '@marketplace/platform';
import { SubgraphTimeoutError } from './subgraph-errors.js';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

// Kept-alive connections, at most this many per subgraph; further calls wait for a free one.
// Unbounded, a burst opens hundreds of sockets that the subgraph's idle timeout then closes
// again: connection churn that costs both sides more CPU than the short queue does.
const MAX_SOCKETS_PER_SUBGRAPH = 32;
const agentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS_PER_SUBGRAPH, scheduling: 'lifo' as const };
const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

/**
 * The subgraph calls on node:http with kept-alive connections instead of the global fetch.
 * Measured on the peer workload (bench scenario 1), fetch's WHATWG streams, abort signals and
 * the garbage they leave made up most of the gateway's own CPU per request; a subgraph answer
 * is a small JSON body, read whole, which node:http delivers without that machinery.
 * The whole call (connect, send, read) is bounded by `timeoutMs`. Each call is a client span
 * (`POST <subgraph>`, a child of the request's span) whose context goes along as `traceparent`.
 */
export function subgraphFetcher(timeoutMs: number, subgraph = 'subgraph'): Fetcher {
  return (url, init = {}) => {
    const { span, context } = startSpan({
      name: `POST ${subgraph}`,
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': init.method ?? 'POST',
        'url.full': url,
        'marketplace.subgraph': subgraph,
      },
    });
    const traceHeaders: Record<string, string> = {};
    injectContext(traceHeaders, context);
    return send(url, init, traceHeaders, timeoutMs).then(
      (response) => {
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        return response;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    );
  };
}

function send(
  url: string,
  init: Parameters<Fetcher>[1] & object,
  traceHeaders: Record<string, string>,
  timeoutMs: number,
): Promise<FetcherResponse> {
  return new Promise<FetcherResponse>((resolve, reject) => {
    const target = new URL(url);
    const body = typeof init.body === 'string' ? init.body : (init.body ?? '');
    const headers: Record<string, string | number> = {
      ...(init.headers as Record<string, string>),
      ...traceHeaders,
    };
    headers['content-length'] = Buffer.byteLength(body);
    const secure = target.protocol === 'https:';
    const req = (secure ? httpsRequest : httpRequest)(target, {
      method: init.method ?? 'POST',
      headers,
      agent: secure ? agents.https : agents.http,
    });
    const timer = setTimeout(
      () => req.destroy(new SubgraphTimeoutError(`Subgraph ${url} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.once('end', () => {
        clearTimeout(timer);
        resolve(bufferedResponse(url, res, Buffer.concat(chunks)));
      });
    });
    req.end(body);
  });
}

/** The Fetch API response the data source reads (status, headers, text/json), over a read body. */
function bufferedResponse(url: string, res: IncomingMessage, body: Buffer): FetcherResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const status = res.statusCode ?? 0;
  let used = false;
  const consume = () => {
    if (used) throw new TypeError('Body has already been consumed');
    used = true;
    return body;
  };
  const response: FetcherResponse = {
    url,
    status,
    statusText: res.statusMessage ?? '',
    ok: status >= 200 && status < 300,
    redirected: false,
    headers,
    get bodyUsed() {
      return used;
    },
    text: async () => consume().toString('utf8'),
    json: async () => JSON.parse(consume().toString('utf8')) as unknown,
    arrayBuffer: async () => {
      const bytes = consume();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    clone: () => bufferedResponse(url, res, body),
  };
  return response;
}

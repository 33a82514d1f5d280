import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CLIENT_IP_HEADER, CORRELATION_HEADER, GATEWAY_SECRET_HEADER } from '@marketplace/platform';

/** What the gateway knows about the caller; subgraphs verify the token themselves. */
export interface GatewayContext {
  correlationId: string;
  authorization?: string;
  traceparent?: string;
  clientIp?: string;
}

export interface SubgraphDataSourceOptions {
  url: string;
  gatewaySecret: string;
  /** A subgraph fetch is aborted after this long, so one slow subgraph cannot hold requests open. */
  timeoutMs: number;
}

/**
 * Calls one subgraph: forwards the caller's token and trace context, tags the call with the
 * request's correlation id and proves with the shared secret that it came through the gateway.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly gatewaySecret: string;

  constructor({ url, gatewaySecret, timeoutMs }: SubgraphDataSourceOptions) {
    super({ url, fetcher: withTimeout(timeoutMs) });
    this.gatewaySecret = gatewaySecret;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    headers.set(GATEWAY_SECRET_HEADER, this.gatewaySecret);
    // Health checks and schema loads carry no caller context.
    const caller = context as Partial<GatewayContext>;
    if (caller.correlationId) headers.set(CORRELATION_HEADER, caller.correlationId);
    if (caller.authorization) headers.set('authorization', caller.authorization);
    if (caller.traceparent) headers.set('traceparent', caller.traceparent);
    if (caller.clientIp) headers.set(CLIENT_IP_HEADER, caller.clientIp);
  }
}

function withTimeout(timeoutMs: number): RemoteGraphQLDataSource['fetcher'] {
  return async (url, init) => {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // A plain Error names the subgraph in the logs; the DOMException's read-only message
      // also breaks plugins that rewrite error messages (graphql-armor's suggestion blocker).
      if (error instanceof DOMException && error.name === 'TimeoutError') {
        throw new Error(`Subgraph ${url} did not answer within ${timeoutMs} ms`, { cause: error });
      }
      throw error;
    }
  };
}

import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  CLIENT_IP_HEADER,
  CORRELATION_HEADER,
  GATEWAY_SECRET_HEADER,
  type Actor,
  type Logger,
} from '@marketplace/platform';
import { isMutation, serviceUnavailableError, unavailability } from './subgraph-errors.js';
import { subgraphFetcher } from './subgraph-fetcher.js';

/** What the gateway knows about the caller; subgraphs verify the token themselves. */
export interface GatewayContext {
  correlationId: string;
  /** Verified from the bearer token by the gateway (for budgets); null when anonymous or invalid. */
  actor?: Actor | null;
  authorization?: string;
  clientIp?: string;
}

export interface SubgraphDataSourceOptions {
  /** The subgraph's name, for its client spans. */
  name: string;
  url: string;
  gatewaySecret: string;
  /** A subgraph fetch is aborted after this long, so one slow subgraph cannot hold requests open. */
  timeoutMs: number;
  /** Where a subgraph that cannot answer is logged with its cause (the client only sees SERVICE_UNAVAILABLE). */
  logger: Logger;
}

/**
 * Calls one subgraph: forwards the caller's token, tags the call with the request's correlation
 * id and proves with the shared secret that it came through the gateway. The trace context
 * (`traceparent` of a client span per call) is added by the fetcher.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly gatewaySecret: string;
  private readonly subgraph: string;
  private readonly logger: Logger;

  constructor({ name, url, gatewaySecret, timeoutMs, logger }: SubgraphDataSourceOptions) {
    super({ url, fetcher: subgraphFetcher(timeoutMs, name) });
    this.gatewaySecret = gatewaySecret;
    this.subgraph = name;
    this.logger = logger;
  }

  /**
   * A subgraph that refused the connection, broke it, did not answer in time or answered 5xx is
   * `SERVICE_UNAVAILABLE` (retryable) for the client; the cause is logged here, with the
   * correlation id. Everything else (4xx, GraphQL errors in the answer) keeps Apollo's handling.
   */
  override didEncounterError(
    error: Error,
    _fetchRequest: Parameters<RemoteGraphQLDataSource['didEncounterError']>[1],
    fetchResponse?: Parameters<RemoteGraphQLDataSource['didEncounterError']>[2],
    context?: GatewayContext,
    request?: Parameters<RemoteGraphQLDataSource['didEncounterError']>[4],
  ): void {
    const unavailable = unavailability(error, fetchResponse);
    if (unavailable === undefined) throw error;
    const retryable = unavailable.notRun || !isMutation(request?.query);
    this.logger.warn(
      {
        err: error,
        serviceName: this.subgraph,
        cause: unavailable.cause,
        retryable,
        correlationId: context?.correlationId,
      },
      'subgraph unavailable: answered SERVICE_UNAVAILABLE',
    );
    throw serviceUnavailableError(this.subgraph, retryable);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    headers.set(GATEWAY_SECRET_HEADER, this.gatewaySecret);
    // Health checks and schema loads carry no caller context.
    const caller = context as Partial<GatewayContext>;
    if (caller.correlationId) headers.set(CORRELATION_HEADER, caller.correlationId);
    if (caller.authorization) headers.set('authorization', caller.authorization);
    if (caller.clientIp) headers.set(CLIENT_IP_HEADER, caller.clientIp);
  }
}

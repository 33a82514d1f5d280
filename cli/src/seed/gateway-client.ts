// A small GraphQL client for the gateway: the seeder is an ordinary API caller, so it goes
// through the same limits, budgets and use cases as any app.

// Answers are read field by field where they are used, so the body stays loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface GraphQLAnswer {
  data?: Json;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GatewayClient {
  constructor(readonly url: string) {}

  /**
   * Posts one operation. A 429 (budget used up) waits the Retry-After and tries again, as a
   * polite client should; network hiccups are retried a few times.
   */
  async request(query: string, variables: object = {}, token?: string): Promise<GraphQLAnswer> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error) {
        if (attempt >= 5) throw new GatewayError(`gateway unreachable at ${this.url}: ${String(error)}`, 0);
        await sleep(500 * attempt);
        continue;
      }
      if (res.status === 429 && attempt < 20) {
        await sleep(Math.max(1, Number(res.headers.get('retry-after') ?? 1)) * 1000);
        continue;
      }
      const body = (await res.json().catch(() => null)) as GraphQLAnswer | null;
      if (!body) throw new GatewayError(`gateway answered ${res.status} without JSON`, res.status);
      if (res.status >= 500 && !body.data && attempt < 3) {
        await sleep(1000 * attempt);
        continue;
      }
      return body;
    }
  }

  /** Runs an operation and returns its data, failing on any GraphQL error. */
  async call(query: string, variables: object = {}, token?: string): Promise<Json> {
    const body = await this.request(query, variables, token);
    if (body.errors?.length) {
      const first = body.errors[0]!;
      throw new GatewayError(body.errors.map((e) => e.message).join('; '), 200, first.extensions?.code);
    }
    return body.data;
  }

  /**
   * The same mutation for many inputs in one request (aliases m0..mN), answered per input: the
   * root field's value, or an Error when that field failed. One request instead of ten saves the
   * gateway's parsing and planning, which is most of the work for small writes.
   */
  async many(
    field: string,
    argument: { name: string; type: string },
    inputs: unknown[],
    selection: string,
    token: string,
  ): Promise<(Json | Error)[]> {
    if (!inputs.length) return [];
    const declarations = inputs.map((_, i) => `$v${i}: ${argument.type}`).join(', ');
    const fields = inputs
      .map((_, i) => `m${i}: ${field}(${argument.name}: $v${i}) { ${selection} }`)
      .join('\n');
    const variables = Object.fromEntries(inputs.map((input, i) => [`v${i}`, input]));
    const body = await this.request(`mutation(${declarations}) {\n${fields}\n}`, variables, token);
    return inputs.map((_, i) => {
      const value = body.data?.[`m${i}`];
      if (value) return value;
      const error = body.errors?.find((e) => e.path?.[0] === `m${i}`) ?? body.errors?.[0];
      return new GatewayError(error?.message ?? `no answer for ${field}`, 200, error?.extensions?.code);
    });
  }
}

/** An account the seeder acts as; signs in again before its access token runs out. */
export class Session {
  private token?: string;
  private obtainedAt = 0;
  /** Access tokens live 15 minutes by default; renew well before. */
  private static readonly RENEW_AFTER_MS = 10 * 60_000;

  constructor(
    private readonly client: GatewayClient,
    readonly email: string,
    private readonly password: string,
    token?: string,
  ) {
    if (token) this.remember(token);
  }

  remember(token: string): void {
    this.token = token;
    this.obtainedAt = Date.now();
  }

  async accessToken(): Promise<string> {
    if (this.token && Date.now() - this.obtainedAt < Session.RENEW_AFTER_MS) return this.token;
    const auth = await signIn(this.client, this.email, this.password);
    this.remember(auth.accessToken);
    return auth.accessToken;
  }
}

export const AUTH_SELECTION = `__typename
  ... on AuthPayload { accessToken accessTokenExpiresAt refreshToken user { id role store { id status } } }
  ... on ErrorResult { code message field }`;
/** Sign-in also answers a throttled attempt with its own type. */
const LOGIN_SELECTION = `${AUTH_SELECTION}
  ... on TooManyAttemptsError { code message retryAfterSeconds }`;

export interface Auth {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: { id: string; role: string; store: { id: string; status: string } | null };
}

export async function signIn(client: GatewayClient, email: string, password: string): Promise<Auth> {
  const data = await client.call(
    `mutation($input: LoginInput!) { login(input: $input) { ${LOGIN_SELECTION} } }`,
    {
      input: { email, password },
    },
  );
  const r = data.login;
  if (r.__typename !== 'AuthPayload') {
    throw new GatewayError(`sign-in as ${email} refused: ${r.code} ${r.message}`, 200, r.code);
  }
  return r as Auth;
}

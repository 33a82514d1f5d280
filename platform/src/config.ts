/** Process configuration from the environment, with local-development defaults. */
export interface PlatformConfig {
  readonly postgresUrl: string;
  readonly kafkaBrokers: string[];
  readonly redisUrl: string;
  readonly elasticsearchUrl: string;
  /** HS256 secret the accounts service signs access tokens with; every subgraph verifies them. */
  readonly jwtSecret: string;
  /** Proves a request came through the gateway; subgraphs refuse requests without it. */
  readonly gatewaySecret: string;
  readonly production: boolean;
}

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_GATEWAY_SECRET = 'dev-only-gateway-secret-change-me';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const production = env.NODE_ENV === 'production';
  const config: PlatformConfig = {
    postgresUrl: env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432',
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    elasticsearchUrl: env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
    jwtSecret: env.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
    gatewaySecret: env.GATEWAY_SHARED_SECRET ?? DEV_GATEWAY_SECRET,
    production,
  };
  if (production && (config.jwtSecret === DEV_JWT_SECRET || config.gatewaySecret === DEV_GATEWAY_SECRET)) {
    throw new Error('AUTH_JWT_SECRET and GATEWAY_SHARED_SECRET must be set in production');
  }
  return config;
}

export function intFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

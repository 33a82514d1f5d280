import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** The repository root: two levels up from both `gateway/src` (tests) and `gateway/dist` (built). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SUPERGRAPH_CONFIG_PATH = resolve(REPO_ROOT, 'supergraph.yaml');
export const SUPERGRAPH_SDL_PATH = resolve(REPO_ROOT, 'supergraph.graphql');

export interface SubgraphConfig {
  name: string;
  routingUrl: string;
  /** Absolute path of the subgraph's committed SDL. */
  schemaFile: string;
}

/**
 * Reads the rover-style composition config (`subgraphs.<name>.routing_url` and
 * `schema.file`, relative to the config file). Other keys, such as `federation_version`,
 * are accepted and ignored: the composition version is the pinned `@apollo/composition`.
 */
export async function readSupergraphConfig(path = SUPERGRAPH_CONFIG_PATH): Promise<SubgraphConfig[]> {
  const raw: unknown = parseYaml(await readFile(path, 'utf8'));
  const subgraphs = isRecord(raw) ? raw.subgraphs : undefined;
  if (!isRecord(subgraphs) || Object.keys(subgraphs).length === 0) {
    throw new Error(`${path}: expected a non-empty "subgraphs" map`);
  }
  return Object.entries(subgraphs).map(([name, entry]) => {
    const routingUrl = isRecord(entry) ? entry.routing_url : undefined;
    const schema = isRecord(entry) ? entry.schema : undefined;
    const file = isRecord(schema) ? schema.file : undefined;
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new Error(`${path}: subgraph name "${name}" must be kebab-case`);
    if (typeof routingUrl !== 'string') throw new Error(`${path}: subgraphs.${name}.routing_url is missing`);
    if (typeof file !== 'string') throw new Error(`${path}: subgraphs.${name}.schema.file is missing`);
    return { name, routingUrl, schemaFile: resolve(dirname(path), file) };
  });
}

/** `products` -> `PRODUCTS_URL`, `order-history` -> `ORDER_HISTORY_URL`. */
export function subgraphUrlEnvVar(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

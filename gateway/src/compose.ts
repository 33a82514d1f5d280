import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import {
  readSupergraphConfig,
  REPO_ROOT,
  SUPERGRAPH_CONFIG_PATH,
  SUPERGRAPH_SDL_PATH,
} from './supergraph-config.js';

/**
 * Composes the committed subgraph SDL files listed in supergraph.yaml into supergraph.graphql.
 *   --check        write nothing; fail when the committed supergraph.graphql differs (CI)
 *   --list         print `name<TAB>schema file` per subgraph (used by scripts/compose.sh)
 *   --config/--out other paths than the repository's supergraph.yaml / supergraph.graphql
 */
const { values: args } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    config: { type: 'string', default: SUPERGRAPH_CONFIG_PATH },
    out: { type: 'string', default: SUPERGRAPH_SDL_PATH },
  },
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};
const display = (path: string) => relative(process.cwd(), path) || path;

const subgraphs = await readSupergraphConfig(resolve(args.config)).catch((error: Error) =>
  fail(error.message),
);

if (args.list) {
  for (const s of subgraphs) console.log(`${s.name}\t${relative(REPO_ROOT, s.schemaFile)}`);
  process.exit(0);
}

const services = await Promise.all(
  subgraphs.map(async ({ name, routingUrl, schemaFile }) => {
    const sdl = await readFile(schemaFile, 'utf8').catch(() =>
      fail(`${name}: cannot read ${display(schemaFile)} (run pnpm compose to print it)`),
    );
    try {
      return { name, url: routingUrl, typeDefs: parse(sdl) };
    } catch (error) {
      return fail(`${name}: ${display(schemaFile)} is not valid SDL: ${(error as Error).message}`);
    }
  }),
);

const result = composeServices(services);
if (result.errors) {
  const lines = result.errors.map((e) => `  [${String(e.extensions?.code ?? 'ERROR')}] ${e.message}`);
  fail(`Composition failed with ${result.errors.length} error(s):\n${lines.join('\n')}`);
}
for (const hint of result.hints ?? []) console.error(`hint [${hint.definition.code}]: ${hint.message}`);

const supergraphSdl = `${result.supergraphSdl!.trimEnd()}\n`;
const out = resolve(args.out);
if (args.check) {
  const committed = await readFile(out, 'utf8').catch(() => '');
  if (committed !== supergraphSdl) fail(`${display(out)} is stale: run pnpm compose`);
  console.log(`${display(out)} is up to date (${services.length} subgraphs)`);
} else {
  await writeFile(out, supergraphSdl);
  console.log(`wrote ${display(out)} (${services.map((s) => s.name).join(', ')})`);
}

// Writes src/generated/contracts.ts: one interface per schema plus the `EventPayloads` map keyed by
// `<type>@<version>`. With --check it only compares, so CI fails when someone forgot to regenerate.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { URL } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { loadSchemaFiles } from '../src/schema-catalog.ts';

const GENERATE_COMMAND = 'pnpm --filter @marketplace/event-contracts generate';
const target = new URL('../src/generated/contracts.ts', import.meta.url);
const check = process.argv.includes('--check');

/**
 * The schema as json-schema-to-typescript should see it: local `$ref`s inlined, so shared `$defs`
 * become inline shapes of each interface instead of colliding names across files.
 */
function forTypes(file) {
  const { $defs = {}, $id: _id, $schema: _schema, 'x-topic': _topic, ...body } = file.schema;
  // The title is the type name; the version suffix catches a copied file whose title was not bumped.
  const TYPE_NAME = new RegExp(`^[A-Z][A-Za-z0-9]*V${file.version}$`);
  if (typeof body.title !== 'string' || !TYPE_NAME.test(body.title)) {
    throw new Error(`schemas/${file.path}: "title" must be the type name ending in V${file.version}`);
  }
  const inline = (node) => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string') {
      const name = /^#\/\$defs\/([^/]+)$/.exec(node.$ref)?.[1];
      if (name === undefined || !(name in $defs)) {
        throw new Error(`schemas/${file.path}: unsupported $ref ${node.$ref} (only #/$defs/<name>)`);
      }
      const { $ref: _ref, ...siblings } = node;
      return { ...inline($defs[name]), ...siblings };
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
  };
  return inline(body);
}

async function generate() {
  const files = loadSchemaFiles();
  const events = files.filter((f) => f.kind === 'event');
  const others = files.filter((f) => f.kind !== 'event');
  const titles = files.map((f) => f.schema.title);
  const duplicate = titles.find((t, i) => titles.indexOf(t) !== i);
  if (duplicate) throw new Error(`two schemas share the title ${duplicate}; titles are type names`);

  // One bundle, one compile: every type is declared exactly once and the map comes out typed.
  const bundle = {
    title: 'EventPayloads',
    description: 'The payload type of every event contract, keyed by `<type>@<version>`.',
    type: 'object',
    additionalProperties: false,
    required: events.map((f) => f.key),
    properties: Object.fromEntries(events.map((f) => [f.key, forTypes(f)])),
    $defs: Object.fromEntries(others.map((f) => [f.schema.title, forTypes(f)])),
  };
  return compile(bundle, 'EventPayloads', {
    bannerComment: `/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run \`${GENERATE_COMMAND}\`. */`,
    declareExternallyReferenced: true,
    unreachableDefinitions: true,
    style: { singleQuote: true, printWidth: 110, trailingComma: 'all' },
  });
}

let source;
try {
  source = await generate();
} catch (error) {
  console.error(`Cannot generate types: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const current = await readFile(target, 'utf8').catch(() => undefined);
if (check) {
  if (current !== source) {
    console.error(`src/generated/contracts.ts is out of date with schemas/. Run \`${GENERATE_COMMAND}\`.`);
    process.exit(1);
  }
  console.log('src/generated/contracts.ts is up to date.');
} else {
  await mkdir(new URL('.', target), { recursive: true });
  await writeFile(target, source);
  console.log(
    current === source ? 'src/generated/contracts.ts unchanged.' : 'wrote src/generated/contracts.ts',
  );
}

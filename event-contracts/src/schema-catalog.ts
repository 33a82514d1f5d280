// The schema files on disk and their structural fingerprints. Shared by the runtime registry, the
// tests and the scripts in scripts/ (which import this .ts file through Node's type stripping), so it
// imports only node: builtins and uses erasable TypeScript syntax.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** src/ (jest, scripts) and dist/ (runtime) both sit one level below the package root. */
export const schemasDir = new URL('../schemas/', import.meta.url);
export const releasedLockFile = new URL('../released.json', import.meta.url);

export const RELEASE_COMMAND = 'pnpm --filter @marketplace/event-contracts release';

export type JsonSchema = { readonly [keyword: string]: unknown };

interface SchemaFileBase {
  /** Path below schemas/, always with `/`, e.g. `products/product-created.v1.json`. */
  readonly path: string;
  /** `products.product-created`; `envelope` for the envelope. */
  readonly type: string;
  readonly version: number;
  /** `<type>@<version>`: the key in released.json and in the generated `EventPayloads`. */
  readonly key: string;
  readonly schema: JsonSchema;
}

export type SchemaFile =
  | (SchemaFileBase & { readonly kind: 'envelope' })
  | (SchemaFileBase & { readonly kind: 'event'; readonly topic: string });

const FILE_NAME = /^([a-z][a-z0-9-]*)\.v([1-9][0-9]*)\.json$/;

/** Every schema, sorted by path. Throws when a file's place on disk and its `$id` disagree. */
export function loadSchemaFiles(): SchemaFile[] {
  const paths = (readdirSync(schemasDir, { recursive: true, encoding: 'utf8' }) as string[])
    .map((p) => p.split('\\').join('/'))
    .filter((p) => p.endsWith('.json'))
    .sort();
  return paths.map(loadSchemaFile);
}

function loadSchemaFile(path: string): SchemaFile {
  const parts = path.split('/');
  const match = FILE_NAME.exec(parts.at(-1) ?? '');
  // Events live one folder deep (the bounded context); only the envelope sits at the top.
  if (!match || parts.length > 2) {
    throw new Error(`schemas/${path}: expected schemas/<context>/<event-name>.v<N>.json`);
  }
  const [, name = '', versionText = ''] = match;
  const context = parts.length === 2 ? parts[0] : undefined;
  const type = context === undefined ? name : `${context}.${name}`;
  const version = Number(versionText);
  const schema = JSON.parse(readFileSync(new URL(path, schemasDir), 'utf8')) as JsonSchema;

  const expectedId = `${type}.v${version}`;
  if (schema.$id !== expectedId) {
    throw new Error(`schemas/${path}: $id is ${JSON.stringify(schema.$id)}, expected "${expectedId}"`);
  }
  const base = { path, type, version, key: `${type}@${version}`, schema };
  if (context === undefined) return { ...base, kind: 'envelope' };

  const topic = schema['x-topic'];
  if (typeof topic !== 'string' || topic === '') {
    throw new Error(`schemas/${path}: an event schema needs an "x-topic" naming its Kafka topic`);
  }
  return { ...base, kind: 'event', topic };
}

// Annotations document a schema without changing which messages it accepts, so editing them is
// allowed even after release.
const ANNOTATIONS = new Set(['title', 'description', 'examples', '$comment']);
// Keywords whose value is a map from a *name* to a schema: the names are structure, never annotations
// (a product has a property called `description`).
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_VALUES = new Set([
  'items',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema without annotation keywords, walked schema-aware so data (enum, const, names) is kept. */
export function stripAnnotations(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (SCHEMA_MAPS.has(keyword) && isObject(value)) {
      out[keyword] = Object.fromEntries(Object.entries(value).map(([n, s]) => [n, stripAnnotations(s)]));
    } else if (SCHEMA_LISTS.has(keyword) && Array.isArray(value)) {
      out[keyword] = value.map(stripAnnotations);
    } else if (SCHEMA_VALUES.has(keyword)) {
      out[keyword] = stripAnnotations(value);
    } else {
      out[keyword] = value;
    }
  }
  return out;
}

/** JSON with object keys sorted at every level, so formatting and key order never change a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const members = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of what a schema accepts: the canonical JSON of the schema without annotations. */
export const structuralHash = (schema: unknown): string =>
  createHash('sha256')
    .update(canonicalJson(stripAnnotations(schema)))
    .digest('hex');

export type ReleasedLock = Record<string, string>;

export function readReleasedLock(): ReleasedLock {
  if (!existsSync(releasedLockFile)) return {};
  return JSON.parse(readFileSync(releasedLockFile, 'utf8')) as ReleasedLock;
}

export interface LockReport {
  /** Released versions that were changed or removed, each with what to do instead. */
  readonly broken: string[];
  /** Schema files not in the lock yet. */
  readonly unreleased: SchemaFile[];
}

export function checkLock(files: readonly SchemaFile[], lock: ReleasedLock): LockReport {
  const byKey = new Map(files.map((f) => [f.key, f]));
  const broken: string[] = [];
  for (const [key, hash] of Object.entries(lock)) {
    const file = byKey.get(key);
    if (!file) {
      broken.push(`${key} is released but its schema file is gone: restore it, consumers may still read it.`);
    } else if (structuralHash(file.schema) !== hash) {
      const latest = Math.max(...files.filter((f) => f.type === file.type).map((f) => f.version));
      const next = file.path.replace(/\.v\d+\.json$/, `.v${latest + 1}.json`);
      broken.push(
        `schemas/${file.path} changed after ${key} was released. A released version never changes: ` +
          `revert the edit and put the new shape in a new version file (schemas/${next}) instead.`,
      );
    }
  }
  return { broken, unreleased: files.filter((f) => !(f.key in lock)) };
}

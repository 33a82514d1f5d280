/**
 * Layer rules, checked by a tool rather than by memory (CONVENTIONS.md, rule 1).
 *
 *   node_modules/.bin/depcruise --config .dependency-cruiser.cjs shared-kernel subgraphs platform event-contracts gateway
 *
 * Paths in rules are real paths relative to the repository root: pnpm links a workspace
 * package into node_modules, and `@marketplace/shared-kernel` resolves through that link and
 * the package's `exports` to `shared-kernel/dist/index.d.ts`. So workspace imports need
 * `pnpm build` to have run once; without dist/ they are reported as unresolvable.
 */

/** The kernel by real path (shared-kernel/dist/... via the pnpm link, or shared-kernel/src/...), or its bare name when unresolved (not-to-unresolvable reports that). */
const SHARED_KERNEL = ['^shared-kernel/', '^@marketplace/shared-kernel$'];
/** Spec files sit beside the code they test. */
const SPEC = '\\.spec\\.ts$';

/* global module -- CommonJS: eslint.config.js declares only process and console. */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      // CONVENTIONS.md rule 1: the domain is plain TypeScript. No ORM, GraphQL, Kafka, Redis,
      // Elasticsearch, platform, node: builtins, and nothing from application/ or adapters/.
      name: 'domain-is-pure',
      comment:
        'src/domain/ may import only @marketplace/shared-kernel and other files in a domain/ folder. ' +
        'Map entities with defineEntity/EntitySchema in adapters/persistence instead of importing the ORM here.',
      severity: 'error',
      from: { path: '(^|/)src/domain/', pathNot: SPEC },
      to: { pathNot: [...SHARED_KERNEL, '(^|/)src/domain/'] },
    },
    {
      // The kernel is what every domain may import, so it must be pure itself.
      name: 'kernel-is-pure',
      comment: 'shared-kernel/src may import only its own files and the uuid package.',
      severity: 'error',
      from: { path: '^shared-kernel/src/', pathNot: SPEC },
      to: { pathNot: ['^shared-kernel/src/', '(^|/)node_modules/uuid/'] },
    },
    {
      // Specs beside pure code: the same limits, plus the test framework.
      name: 'pure-specs',
      comment:
        'Specs in src/domain/ and shared-kernel/src may add only @jest/globals to what the code beside them may import.',
      severity: 'error',
      from: { path: ['(^|/)src/domain/.+' + SPEC, '^shared-kernel/src/.+' + SPEC] },
      to: {
        pathNot: [
          ...SHARED_KERNEL,
          '(^|/)src/domain/',
          '(^|/)node_modules/@jest/globals/',
          '(^|/)node_modules/uuid/',
        ],
      },
    },
    {
      // Subgraphs are self-contained; they talk through the gateway (GraphQL) or Kafka events
      // (@marketplace/event-contracts), never by importing each other's code. $1 is the
      // importing subgraph's folder; importing `@marketplace/<other>` resolves into
      // subgraphs/<other>/ and is caught as well.
      name: 'no-cross-subgraph',
      comment: 'A subgraph must not import another subgraph: use events (event-contracts) or federation.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/' },
      to: { path: '^subgraphs/[^/]+/', pathNot: '^subgraphs/$1/' },
    },
    {
      // Use cases depend on ports (application/ports.ts); adapters implement them and
      // main.ts wires them together.
      name: 'application-not-adapters',
      comment:
        'src/application/ must not import src/adapters/: depend on a port, let main.ts wire the adapter.',
      severity: 'error',
      from: { path: '(^|/)src/application/' },
      to: { path: '(^|/)src/adapters/' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles (type-only imports included) make load order and layering unclear.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import must resolve to a file: a typo, a package missing from package.json, or ' +
        'a workspace package that was not built (run pnpm build).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Stop at packages: record the import, do not crawl into it. Files matching doNotFollow are
    // also not cruised as sources, so dist/ output is skipped while imports that resolve into
    // a workspace package's dist/ stay in the graph (an `exclude` would drop those edges, and
    // with them the imports the rules above must see).
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    exclude: { path: '(^|/)(\\.data|\\.tools|coverage)/' },
    // import type { X } counts: a domain file must not even name an ORM type.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    // Real paths: a workspace package linked into node_modules resolves to its own folder
    // (shared-kernel/..., subgraphs/<name>/...), which the rules above match.
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      // `./product.js` in TS ESM sources resolves to product.ts (dependency-cruiser retries
      // .js imports with .ts/.d.ts when the .js file does not exist).
      extensions: ['.ts', '.js'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

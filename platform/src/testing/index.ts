export { waitFor } from './wait.js';
export * from './envelopes.js';
export * from './actors.js';
export * from './subgraph.js';
export * from './stack.js';
export * from './use-case-context.js';
export * from './database-places.js';
export * from './topics.js';

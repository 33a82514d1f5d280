export { startGateway, type GatewayOptions, type RunningGateway } from './gateway.js';
export { OPERATION_LIMITS } from './limits.js';
export type { GatewayContext } from './subgraph-data-source.js';
export { readSupergraphConfig, subgraphUrlEnvVar, type SubgraphConfig } from './supergraph-config.js';
export { COST_MODEL } from './cost.js';
export { DEFAULT_BUDGETS } from './budget.js';

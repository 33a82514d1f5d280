export * from './result.js';
export * from './money.js';
export * from './ids.js';
export * from './clock.js';
export * from './aggregate-root.js';
export * from './state-machine.js';
export * from './closed-set.js';
export * as Guard from './guards.js';

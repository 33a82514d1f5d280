// Jest runs the TypeScript sources directly through SWC (which, unlike esbuild,
// emits the decorator metadata type-graphql needs). ESM throughout, so jest is
// started with --experimental-vm-modules (see scripts/test.sh).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const workspacePackages = {
  '^@marketplace/shared-kernel$': '<rootDir>/shared-kernel/src/index.ts',
  '^@marketplace/event-contracts$': '<rootDir>/event-contracts/src/index.ts',
  '^@marketplace/platform$': '<rootDir>/platform/src/index.ts',
  '^@marketplace/platform/testing$': '<rootDir>/platform/src/testing/index.ts',
};

const base = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { ...workspacePackages, '^(\\.{1,2}/.*)\\.js$': '$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/', '/.tools/'],
  modulePathIgnorePatterns: ['<rootDir>/.data/', '<rootDir>/.tools/'],
};

export default {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/test/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest.setup-slow.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest.setup-slow.ts'],
    },
    {
      ...base,
      displayName: 'security',
      testMatch: ['<rootDir>/tests/security/**/*.security-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest.setup-slow.ts'],
    },
    {
      ...base,
      displayName: 'faults',
      testMatch: ['<rootDir>/tests/faults/**/*.fault-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/jest.setup-slow.ts'],
    },
  ],
};

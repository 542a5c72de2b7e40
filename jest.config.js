/**
 * Jest runs TypeScript through SWC (transpile only; `tsc --noEmit` checks types in `npm test`).
 * ESM-only packages (@middy, fauxqs, mrz) are transpiled too. Suites are grouped in projects so
 * a developer can run one kind: `npx jest --selectProjects unit`.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx: true },
      transform: { react: { runtime: 'automatic', importSource: 'preact' } },
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.(t|j|mj)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs|mrz)/)'],
  moduleNameMapper: { '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  // onnxruntime's typed arrays fail Jest's default sandbox checks; this environment shares the host's.
  testEnvironment: '<rootDir>/test/checks/onnx-environment.js',
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'contract', testMatch: ['<rootDir>/test/contract/**/*.test.ts'] },
    { ...common, displayName: 'http', testMatch: ['<rootDir>/test/http/**/*.test.ts'] },
    { ...common, displayName: 'checks', testMatch: ['<rootDir>/test/checks/**/*.test.ts'] },
    { ...common, displayName: 'pipeline', testMatch: ['<rootDir>/test/pipeline/**/*.test.ts'] },
    { ...common, displayName: 'cdk', testMatch: ['<rootDir>/test/cdk/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
    { ...common, displayName: 'aws-e2e', testMatch: ['<rootDir>/test/aws-e2e/**/*.test.ts'] },
    { ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.test.ts'] },
  ],
  testTimeout: 60000,
};

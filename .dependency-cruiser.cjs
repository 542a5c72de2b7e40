/**
 * The layer rule (issue 9, docs/architecture.md), checked by `npm run lint`: imports point inward only.
 *   domain            imports nothing of ours
 *   ports          -> domain
 *   app            -> domain, ports
 *   http           -> app and below
 *   handlers       -> http and below
 *   adapters, checks -> domain, ports
 *   local/, aws/      wire everything (so do the CLI entry points: functions/cli/, functions/checks/cli.ts)
 *   lib/ (CDK)        never imports local/ or a Lambda entry module
 *   hosted-flow/src   (the browser page) imports from functions/ only the domain and the applicant contract
 * Type-only imports count too (tsPreCompilationDeps): a type is a dependency on its layer.
 */
const layer = (name) => `^functions/${name}/`;
const anyOf = (...names) => `^functions/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-nothing-of-ours',
      comment: 'functions/domain is pure: it imports only other domain modules.',
      severity: 'error',
      from: { path: layer('domain') },
      to: { path: '^(functions|lib|bin|hosted-flow)/', pathNot: layer('domain') },
    },
    {
      name: 'ports-import-domain-only',
      comment: 'Ports are interfaces over domain types.',
      severity: 'error',
      from: { path: layer('ports') },
      to: { path: '^(functions|lib|bin|hosted-flow)/', pathNot: anyOf('domain', 'ports') },
    },
    {
      name: 'app-imports-domain-and-ports',
      comment: 'Use cases know the domain and the ports, never HTTP, adapters or a runtime.',
      severity: 'error',
      from: { path: layer('app') },
      to: { path: '^(functions|lib|bin|hosted-flow)/', pathNot: anyOf('domain', 'ports', 'app') },
    },
    {
      name: 'http-imports-app-and-below',
      severity: 'error',
      from: { path: layer('http') },
      to: { path: '^(functions|lib|bin|hosted-flow)/', pathNot: anyOf('domain', 'ports', 'app', 'http') },
    },
    {
      name: 'handlers-import-http-and-below',
      severity: 'error',
      from: { path: layer('handlers') },
      to: {
        path: '^(functions|lib|bin|hosted-flow)/',
        pathNot: anyOf('domain', 'ports', 'app', 'http', 'handlers'),
      },
    },
    {
      name: 'adapters-import-domain-and-ports',
      comment: 'An adapter implements a port; it knows nothing of use cases, HTTP, checks or a runtime.',
      severity: 'error',
      from: { path: layer('adapters') },
      to: { path: '^(functions|lib|bin|hosted-flow)/', pathNot: anyOf('domain', 'ports', 'adapters') },
    },
    {
      name: 'checks-import-domain-and-ports',
      comment:
        'A check provider implements the checks port; it knows nothing of use cases, HTTP or a runtime. ' +
        'checks/cli.ts is the `check` command, an entry point that wires like local/.',
      severity: 'error',
      from: { path: layer('checks'), pathNot: '^functions/checks/cli\\.ts$' },
      to: { path: '^(functions|lib|bin|hosted-flow)/', pathNot: anyOf('domain', 'ports', 'checks') },
    },
    {
      name: 'lib-never-imports-runtime-wiring',
      comment: 'The CDK app never imports the local runtime or a Lambda entry module (it bundles entries by path).',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: ['^functions/local/', '^functions/aws/entries/'] },
    },
    {
      name: 'hosted-flow-imports-contract-only',
      comment: 'The browser page may import from functions/ only the domain and the applicant contract (browser-safe).',
      severity: 'error',
      from: { path: '^hosted-flow/src/' },
      to: {
        path: '^(functions|lib|bin)/',
        pathNot: ['^functions/domain/', '^functions/http/applicant-contract\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^dist/', '^cdk\\.out/', '^hosted-flow/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};

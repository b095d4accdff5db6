// The layers the codebase holds (docs/architecture.md explains them). Checked in CI:
//   npm run lint:deps
// From the bottom up: src/domain (pure rules) ← src/core (chat-agnostic runtime) ← src/deploy,
// src/store, src/notify ← src/app (the job layer) ← commands/, jobs/ (thin adapters calling into
// src/) ← the composition roots (src/cli, src/demo, src/docs), which alone wire jobs/ and
// commands/ in. src/adapters/* each implement one chat platform and know nothing of the others.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'src/domain holds pure rules: it imports only src/domain — no node built-ins (no I/O), no packages, nothing else of ours.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'core-below-the-runtime',
      comment:
        'src/core is the chat-agnostic runtime under everything else: it does not reach up into the engine, the stores, the job layer, the adapters, the HTTP surface, the CLI, commands/ or jobs/.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        path: '^(src/(app|deploy|store|notify|adapters|http|cli|demo|docs)|commands|jobs)/',
      },
    },
    {
      name: 'engine-store-notify-below-the-job-layer',
      comment:
        'src/deploy, src/store and src/notify are used by the job layer (src/app), never the other way: shared contracts live below (e.g. src/deploy/deploy-notice.ts).',
      severity: 'error',
      from: { path: '^src/(deploy|store|notify)/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'only-the-composition-root-wires-commands-and-jobs',
      comment:
        'commands/ and jobs/ are thin adapters that call into src/; only the composition roots (src/cli, src/demo, src/docs) import them and hand them in.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: '^src/(cli|demo|docs)/',
      },
      to: { path: '^(commands|jobs)/' },
    },
    {
      name: 'only-the-composition-root-knows-the-adapters',
      comment: 'Chat adapters are chosen and started by the composition roots; nothing else in src/ depends on a particular platform.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(adapters|cli|demo|docs)/' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'adapters-are-independent',
      comment: 'Each src/adapters/<platform> implements one ChatAdapter and imports no other adapter.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'config-below-src',
      comment: 'config/ (schema, loader) may use src/domain and src/core only: everything else reads the config, not the other way.',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^(src/(?!domain/|core/)|commands/|jobs/)' },
    },
    {
      name: 'no-circular',
      comment: 'No module depends on itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a file moved without its importers).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no JS API: parse with swc, resolve with the tsconfig
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    // type-only imports are dependencies too: a layer may not name another layer's types
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
  },
};

// The build enforces which way dependencies point (checked by `npm run check:deps`, part of
// `npm test`): the scheduler is a pure core that may only read metadata's types; the datapath
// never imports the control plane; schema (generated types and the vocabulary) depends on no other
// cairn package, metadata on none but schema; no cycles.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'import cycles hide layering mistakes',
      from: { pathNot: '/src/gen/' },
      to: { circular: true },
    },
    // (Generated proto types may refer to themselves: a message that nests its own type.)
    {
      name: 'scheduler-imports-only-metadata-types',
      severity: 'error',
      comment: 'the scheduler is pure: it reads ClusterState and settings types, nothing that does I/O',
      from: { path: '^packages/scheduler/src' },
      to: { path: '^packages/metadata', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'scheduler-is-pure',
      severity: 'error',
      comment: 'no etcd, gRPC, network, disk, processes or timers libraries in the scheduler core',
      from: { path: '^packages/scheduler/src' },
      to: {
        path: [
          '(^|/)node_modules/(etcd3|@grpc|rxjs|@kubernetes)/',
          '^(fs|net|child_process|dgram|http|https|timers)$',
          '^node:(fs|net|child_process|dgram|http|https|timers)',
        ],
      },
    },
    {
      name: 'datapath-never-imports-control-plane',
      severity: 'error',
      comment: 'the datapath serves blocks; the control plane drives it from outside',
      from: { path: '^packages/datapath/src' },
      to: { path: '^packages/(metadata|scheduler|csi|cli|manager|node)/|(^|/)node_modules/etcd3/' },
    },
    {
      name: 'schema-depends-on-no-other-cairn-package',
      severity: 'error',
      comment: 'the bottom floor: what every package speaks (generated proto types, loader options, vocabulary)',
      from: { path: '^packages/schema/src' },
      to: { path: '^packages/(?!schema/)' },
    },
    {
      name: 'metadata-depends-on-no-other-cairn-package',
      severity: 'error',
      comment: 'but schema, the floor below it',
      from: { path: '^packages/metadata/src' },
      to: { path: '^packages/(?!metadata/|schema/)' },
    },
    {
      name: 'packages-do-not-import-tests-or-bench',
      severity: 'error',
      from: { path: '^packages/[^/]+/src' },
      to: { path: '^(test|bench)/|^packages/[^/]+/test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/|\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    combinedDependencies: false,
  },
};

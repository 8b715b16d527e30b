// deploy/ (issue 6, section 6): the manifests parse and refer to each other consistently (names,
// sockets, service accounts, flags, endpoints, images), every StorageClass is one the driver's own
// parser takes, kustomize builds them, and the operator's guides (docs/operations.md from
// "## Kubernetes", deploy/README.md) show only commands cairn and kubectl take and YAML that names
// what deploy/ installs. No Kubernetes runs here, so this is what can be checked; deploy/README.md
// says what cannot. Every check is also shown to fail: the tests below break a copy of the
// manifests (or give a wrong command) in one way and expect that one mistake to be reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { DRIVER_NAME, parseStorageClass, STORAGE_CLASS_PARAMETERS } from '@cairn/csi';
import { MANAGER_COMMAND } from '@cairn/manager';
import { AGENT_COMMAND } from '@cairn/agent';
import { bufferIo, run as runCli } from '@cairn/cli';
import type { AdminApi } from '@cairn/cli';
import { SETTING_DEFS } from '@cairn/metadata';
import {
  checkAll,
  checkMonitoring,
  documentedSecrets,
  loadManifests,
  loadMonitoring,
  commandFlags,
  parseFlags,
  parseManifests,
} from './support/deploy-checks.js';
import { DEFAULT_MANAGER_METRICS, DEFAULT_NODE_METRICS } from '@cairn/api';
import type { Expectations, Manifests, Obj } from './support/deploy-checks.js';
import { docCommands, shellCommands } from './support/doc-commands.js';
import type { DocCommand } from './support/doc-commands.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const replicaCount = SETTING_DEFS['default-replica-count'];
/** The values of an enum setting (the same words a volume's field takes). */
function enumValues(def: object): readonly string[] {
  if (!('values' in def) || !Array.isArray(def.values)) throw new Error('not an enum setting');
  return def.values as string[];
}

const X: Expectations = {
  driverName: DRIVER_NAME,
  storageClassParameters: STORAGE_CLASS_PARAMETERS,
  managerCommand: MANAGER_COMMAND,
  agentCommand: AGENT_COMMAND,
  version: JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version,
  dataLocalities: enumValues(SETTING_DEFS['default-data-locality']),
  // A volume's replicaAutoBalance may also defer to the setting ("ignored"), as in Longhorn.
  replicaAutoBalances: ['ignored', ...enumValues(SETTING_DEFS['replica-auto-balance'])],
  replicaCount: {
    min: 'min' in replicaCount ? replicaCount.min : 1,
    max: 'max' in replicaCount ? replicaCount.max : 20,
  },
  parseStorageClass,
};

const real = loadManifests(ROOT);

/** A copy of the manifests with the documents of `file` changed by `edit` (each document in turn). */
function mutate(file: string, edit: (o: Obj) => void, base: Manifests = real): Manifests {
  const docs = parseAllDocuments(base.files[file]!, { version: '1.1' })
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
  for (const o of docs) edit(o);
  return { ...base, files: { ...base.files, [file]: docs.map((o) => stringify(o, { version: '1.1' })).join('---\n') } };
}

const container = (o: Obj, n: string): Obj | undefined =>
  o.spec?.template?.spec?.containers?.find((c: Obj) => c.name === n);

/** Replaces the argument starting with `prefix` of container `c` in the workload of `file`. */
function setArg(file: string, c: string, prefix: string, value: string | null): Manifests {
  return mutate(file, (o) => {
    const k = container(o, c);
    if (!k) return;
    const i = k.args.findIndex((a: string) => a.startsWith(prefix));
    if (i < 0) k.args.push(value);
    else if (value === null) k.args.splice(i, 1);
    else k.args[i] = value;
  });
}

/** The problems checkAll reports that the committed manifests do not have. */
let baseline: Set<string> | null = null;
function newProblems(m: Manifests): string[] {
  const before = (baseline ??= new Set(checkAll(real, X)));
  return checkAll(m, X).filter((p) => !before.has(p));
}

function caught(m: Manifests, expected: RegExp): void {
  const problems = newProblems(m);
  assert.ok(
    problems.some((p) => expected.test(p)),
    `expected a problem matching ${expected}, got:\n${problems.join('\n') || '(none)'}`,
  );
}

test('the committed manifests are consistent', () => {
  assert.equal(checkAll(real, X), []);
  assert.ok(Object.keys(real.files).length >= 10, 'every manifest file was loaded');
});

test("the helpers read flags, command declarations and the README's secret command as intended", () => {
  const { flags, positionals } = parseFlags(['--a=1', '--b', '--c', 'v', '-v=2', 'stray', '--d=x=y']);
  assert.equal(
    [...flags],
    [
      ['a', '1'],
      ['b', true],
      ['c', 'v'],
      ['v', '2'],
      ['d', 'x=y'],
    ],
  );
  assert.equal(positionals, ['stray']);
  assert.ok(commandFlags(MANAGER_COMMAND).has('csi-socket') && commandFlags(MANAGER_COMMAND).has('etcd'));
  assert.ok(commandFlags(AGENT_COMMAND).has('zone-from-node') && commandFlags(AGENT_COMMAND).has('csi-state-dir'));
  assert.not.ok(commandFlags(MANAGER_COMMAND).has('nbd-socket'), 'an agent flag is no manager flag');
  const tls = new Set(['ca.crt', 'tls.crt', 'tls.key']);
  assert.equal(
    [...documentedSecrets(real.readme)],
    [
      ['cairn-system/cairn-token', new Set(['token'])],
      ['cairn-system/cairn-etcd-server', tls],
      ['cairn-system/cairn-etcd-manager', tls],
      ['cairn-system/cairn-etcd-root', tls],
      ['cairn-system/cairn-manager-tls', tls],
      ['cairn-system/cairn-node-tls', new Set(['ca.crt'])],
      [
        'cairn-system/cairn-backup-target-credential',
        new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINTS']),
      ],
    ],
  );
});

// --- parsing and the file list

test('a YAML syntax error is caught, naming the file', () => {
  caught(
    {
      ...real,
      files: {
        ...real.files,
        '10-csidriver.yaml': real.files['10-csidriver.yaml']!.replace('attachRequired: true', 'attachRequired: [true'),
      },
    },
    /^10-csidriver\.yaml: YAML error/,
  );
});

test('a document without metadata.name or kind is caught', () => {
  caught(
    mutate('12-volumesnapshotclass.yaml', (o) => delete o.metadata.name),
    /12-volumesnapshotclass\.yaml: a VolumeSnapshotClass has no metadata\.name/,
  );
  caught(
    mutate('00-namespace.yaml', (o) => delete o.kind),
    /00-namespace\.yaml: a document has no kind/,
  );
});

test('kustomization.yaml must list every file, and only files that exist', () => {
  caught(
    {
      ...real,
      kustomization: {
        ...real.kustomization,
        resources: real.kustomization.resources.filter((f: string) => f !== '50-node.yaml'),
      },
    },
    /does not list 50-node\.yaml/,
  );
  caught(
    {
      ...real,
      kustomization: { ...real.kustomization, resources: [...real.kustomization.resources, '70-missing.yaml'] },
    },
    /lists 70-missing\.yaml, which is not in deploy/,
  );
  caught(
    {
      ...real,
      files: {
        ...real.files,
        '70-extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: cairn-system\n',
      },
    },
    /does not list 70-extra\.yaml/,
  );
});

test('an object in a namespace nobody creates is caught', () => {
  caught(
    mutate('21-rbac-node.yaml', (o) => {
      if (o.kind === 'ServiceAccount') o.metadata.namespace = 'kube-system';
    }),
    /ServiceAccount kube-system\/cairn-node is in namespace kube-system, which no manifest creates/,
  );
});

// --- references between objects

test('a pod running as a ServiceAccount that does not exist is caught', () => {
  caught(
    mutate('50-node.yaml', (o) => {
      o.spec.template.spec.serviceAccountName = 'cairn-nodes';
    }),
    /runs as ServiceAccount cairn-nodes, which no manifest defines/,
  );
});

test('a binding to a missing ClusterRole or ServiceAccount is caught', () => {
  caught(
    mutate('20-rbac-manager.yaml', (o) => {
      if (o.kind === 'ClusterRoleBinding' && o.metadata.name === 'cairn-external-attacher')
        o.roleRef.name = 'external-attacher-runner';
    }),
    /binds ClusterRole external-attacher-runner, which no manifest defines/,
  );
  caught(
    mutate('21-rbac-node.yaml', (o) => {
      if (o.kind === 'ClusterRoleBinding') o.subjects[0].namespace = 'default';
    }),
    /binds ServiceAccount default\/cairn-node, which no manifest defines/,
  );
});

test('a Secret that is neither a manifest nor created in the README is caught; so is a key it does not have', () => {
  caught(
    mutate('40-manager.yaml', (o) => {
      const v = o.spec?.template?.spec?.volumes?.find((x: Obj) => x.secret);
      if (v) v.secret.secretName = 'cairn-admin-token';
    }),
    /Secret cairn-admin-token, which is neither in the manifests nor created in cairn-system/,
  );
  caught(
    setArg('40-manager.yaml', 'cairn-manager', '--token-file=', '--token-file=/etc/cairn/token/admin-token'),
    /reads \/etc\/cairn\/token\/admin-token, but Secret cairn-token has no key "admin-token"/,
  );
  caught(
    setArg('50-node.yaml', 'cairn-node', '--node-token-file=', '--node-token-file=/var/run/secrets/cairn/tok'),
    /reads \/var\/run\/secrets\/cairn\/tok, but projected volume node-token has no key "tok"/,
  );
  caught(
    { ...real, readme: real.readme.replace(/--from-literal=token=/g, '--from-literal=bearer=') },
    /reads \/etc\/cairn\/token\/token, but Secret cairn-token has no key "token"/,
  );
  caught(
    { ...real, readme: real.readme.replace(/-n cairn-system create secret/g, '-n default create secret') },
    /Secret cairn-token, which is neither in the manifests nor created in cairn-system/,
  );
});

test('a ConfigMap, a PriorityClass or a volume that does not exist is caught', () => {
  caught(
    mutate('40-manager.yaml', (o) => {
      o.spec?.template?.spec?.volumes?.push({ name: 'cfg', configMap: { name: 'cairn-config' } });
    }),
    /from ConfigMap cairn-config, which no manifest defines/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'StatefulSet') o.spec.template.spec.priorityClassName = 'cairn-high';
    }),
    /uses PriorityClass cairn-high, which no manifest defines/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      o.spec.template.spec.volumes = o.spec.template.spec.volumes.filter((v: Obj) => v.name !== 'dev-dir');
    }),
    /mounts volume dev-dir, which the pod does not have/,
  );
});

test('a Service, StatefulSet, PDB or NetworkPolicy that selects or names the wrong thing is caught', () => {
  caught(
    mutate('40-manager.yaml', (o) => {
      if (o.kind === 'Service') o.spec.selector = { 'app.kubernetes.io/name': 'cairn-managers' };
    }),
    /Service cairn-system\/cairn-manager selects no pods/,
  );
  caught(
    mutate('40-manager.yaml', (o) => {
      if (o.kind === 'Service') o.spec.ports[0].targetPort = 'admin';
    }),
    /port api targets admin, which its pods do not declare/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'Service') delete o.spec.clusterIP;
    }),
    /Service cairn-etcd is not headless/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'PodDisruptionBudget') o.spec.selector.matchLabels = { app: 'etcd' };
    }),
    /PodDisruptionBudget cairn-system\/cairn-etcd selects no pods/,
  );
  caught(
    mutate('60-networkpolicy.yaml', (o) => {
      o.spec.ingress[0].from[0].podSelector.matchLabels = { 'app.kubernetes.io/name': 'manager' };
    }),
    /admits pods labelled .*manager.*, and there are none/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      o.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'node' };
    }),
    /selector does not match its pod template's labels/,
  );
});

test('an env reference $(VAR) the container does not define is caught', () => {
  caught(
    setArg('50-node.yaml', 'cairn-node', '--node-id=', '--node-id=$(KUBE_NODE_NAME)'),
    /uses \$\(KUBE_NODE_NAME\) which the container does not define/,
  );
});

// --- the CSI driver's objects

test('a StorageClass provisioner or snapshot class driver other than the driver is caught', () => {
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn-fast') o.provisioner = 'driver.cairn.io';
    }),
    /StorageClass cairn-fast: provisioner driver\.cairn\.io is not the driver csi\.cairn\.io/,
  );
  caught(
    mutate('12-volumesnapshotclass.yaml', (o) => {
      o.driver = 'cairn.io';
    }),
    /driver cairn\.io is not csi\.cairn\.io/,
  );
  caught(
    mutate('10-csidriver.yaml', (o) => {
      o.metadata.name = 'cairn.csi.io';
    }),
    /there must be one CSIDriver named csi\.cairn\.io/,
  );
  caught(
    mutate('10-csidriver.yaml', (o) => {
      o.spec.attachRequired = false;
    }),
    /attachRequired must be true/,
  );
});

test('a StorageClass parameter the driver does not take, or a bad value, is caught', () => {
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn') o.parameters.replicaCount = '3';
    }),
    /StorageClass cairn: parameter replicaCount is not one the driver takes/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn') o.parameters.numberOfReplicas = 3;
    }),
    /parameter numberOfReplicas must be a string/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn-fast') o.parameters.dataLocality = 'best_effort';
    }),
    /dataLocality "best_effort" is not one of disabled, best-effort, strict-local/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn') o.parameters.numberOfReplicas = '0';
    }),
    /numberOfReplicas "0" must be a whole number from 1/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn') o.parameters.replicaAutoBalance = 'sometimes';
    }),
    /replicaAutoBalance "sometimes" is not one of/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn') o.parameters['csi.storage.k8s.io/fstype'] = 'xfs';
    }),
    /fsType ext4 and csi\.storage\.k8s\.io\/fstype xfs disagree/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn-fast') delete o.parameters.diskSelector;
    }),
    /StorageClass cairn-fast: diskSelector must be "fast"/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn-longhorn-compat') o.parameters.migratable = 'true';
    }),
    /StorageClass cairn-longhorn-compat: migratable must be "false"/,
  );
});

test("a StorageClass CreateVolume would refuse is caught, in the words of the driver's parser", () => {
  // strict-local keeps the one replica on the attached node: three replicas contradict it.
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn') o.parameters.dataLocality = 'strict-local';
    }),
    /StorageClass cairn: CreateVolume would refuse its parameters: .*strict-local needs numberOfReplicas 1/,
  );
  caught(
    mutate('11-storageclasses.yaml', (o) => {
      if (o.metadata.name === 'cairn-fast') o.parameters.diskSelector = 'fast disk';
    }),
    /StorageClass cairn-fast: CreateVolume would refuse its parameters: .*diskSelector/,
  );
});

// --- sockets

test('the registrar pointed at another socket than the one cairn node serves is caught', () => {
  caught(
    setArg('50-node.yaml', 'node-driver-registrar', '--csi-address=', '--csi-address=/csi/plugin.sock'),
    new RegExp(
      String.raw`node-driver-registrar: --csi-address /csi/plugin\.sock is host /var/lib/kubelet/plugins/csi\.cairn\.io/plugin\.sock, ` +
        String.raw`but cairn node serves host /var/lib/kubelet/plugins/csi\.cairn\.io/csi\.sock`,
    ),
  );
  caught(
    setArg('50-node.yaml', 'cairn-node', '--csi-socket=', '--csi-socket=/csi/cairn.sock'),
    /--csi-address \/csi\/csi\.sock is host .*csi\.sock, but cairn node serves host .*cairn\.sock/,
  );
  caught(
    setArg(
      '50-node.yaml',
      'node-driver-registrar',
      '--kubelet-registration-path=',
      '--kubelet-registration-path=/var/lib/kubelet/plugins/cairn/csi.sock',
    ),
    /--kubelet-registration-path \/var\/lib\/kubelet\/plugins\/cairn\/csi\.sock is not the socket's host path/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      o.spec.template.spec.volumes.find((v: Obj) => v.name === 'socket-dir').hostPath.path =
        '/var/lib/kubelet/plugins/cairn';
    }),
    /serves \/csi\/csi\.sock, which is host \/var\/lib\/kubelet\/plugins\/cairn\/csi\.sock, not in \/var\/lib\/kubelet\/plugins\/csi\.cairn\.io/,
  );
});

test('a controller sidecar on another socket, or not sharing the volume, is caught', () => {
  caught(
    setArg('40-manager.yaml', 'csi-resizer', '--csi-address=', '--csi-address=/csi/resizer.sock'),
    new RegExp(
      String.raw`csi-resizer: --csi-address /csi/resizer\.sock is emptyDir volume socket-dir:/resizer\.sock, ` +
        String.raw`but the manager serves emptyDir volume socket-dir:/csi\.sock`,
    ),
  );
  caught(
    mutate('40-manager.yaml', (o) => {
      const c = container(o, 'csi-attacher');
      if (c) c.volumeMounts = [];
    }),
    /csi-attacher: --csi-address \/csi\/csi\.sock is \/csi\/csi\.sock \(on no volume\)/,
  );
  caught(
    setArg('40-manager.yaml', 'cairn-manager', '--csi-socket=', '--csi-socket=/tmp/csi.sock'),
    /the manager's --csi-socket \/tmp\/csi\.sock is on \/tmp\/csi\.sock \(on no volume\), not a shared emptyDir/,
  );
  caught(
    mutate('40-manager.yaml', (o) => {
      const s = o.spec?.template?.spec;
      if (s) s.containers = s.containers.filter((c: Obj) => c.name !== 'csi-snapshotter');
    }),
    /there is no csi-snapshotter sidecar/,
  );
  caught(
    setArg('40-manager.yaml', 'csi-provisioner', '--leader-election', null),
    /csi-provisioner: 2 replicas need --leader-election/,
  );
  caught(
    setArg('40-manager.yaml', 'csi-provisioner', '--extra-create-metadata', null),
    /csi-provisioner: no --extra-create-metadata/,
  );
});

// --- etcd

test("--etcd endpoints that do not name the StatefulSet's members are caught", () => {
  const etcd =
    'http://cairn-etcd-0.cairn-etcd.cairn-system.svc:2379,http://cairn-etcd-1.cairn-etcd.cairn-system.svc:2379';
  caught(
    setArg('40-manager.yaml', 'cairn-manager', '--etcd=', `--etcd=${etcd}`),
    /--etcd .* must name the 3 members of StatefulSet cairn-etcd/,
  );
  caught(
    setArg(
      '40-manager.yaml',
      'cairn-manager',
      '--etcd=',
      `--etcd=${etcd},http://cairn-etcd-2.etcd.cairn-system.svc:2379`,
    ),
    /must name the 3 members/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'StatefulSet') o.spec.replicas = 5;
    }),
    /must name the 5 members of StatefulSet cairn-etcd/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'StatefulSet') o.spec.serviceName = 'etcd';
    }),
    /names Service etcd, which no manifest defines/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      const c = container(o, 'etcd');
      if (c) c.args = c.args.map((a: string) => a.replace('cairn-etcd-2=', 'etcd-2='));
    }),
    /--initial-cluster must be/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'StatefulSet') o.spec.volumeClaimTemplates[0].metadata.name = 'etcd-data';
    }),
    /--data-dir must be a volume from volumeClaimTemplates/,
  );
});

test('etcd in clear, on 0.0.0.0, without client certificates, or managers without theirs, are caught', () => {
  const arg = (f: (a: string) => string) => (o: Obj) => {
    const c = container(o, 'etcd');
    if (c) c.args = c.args.map(f);
  };
  caught(
    mutate(
      '30-etcd.yaml',
      arg((a) => a.replace('--listen-client-urls=https://$(POD_IP):2379', '--listen-client-urls=http://0.0.0.0:2379')),
    ),
    /--listen-client-urls must be https on the pod's IP/,
  );
  caught(
    mutate(
      '30-etcd.yaml',
      arg((a) => (a === '--client-cert-auth' ? '--auto-tls' : a)),
    ),
    /no --client-cert-auth/,
  );
  caught(
    mutate(
      '30-etcd.yaml',
      arg((a) => (a.startsWith('--peer-cert-allowed-cn') ? '--log-level=info' : a)),
    ),
    /no --peer-cert-allowed-cn/,
  );
  caught(
    mutate('40-manager.yaml', (o) => {
      const c = container(o, 'cairn-manager');
      if (c) c.args = c.args.filter((a: string) => !a.startsWith('--etcd-cert'));
    }),
    /no --etcd-cert/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      if (o.kind === 'Job') o.spec.template.spec.volumes[0].secret.secretName = 'etcd-root';
    }),
    /Secret etcd-root, which is neither in the manifests/,
  );
});

// --- cairn's own flags

test('a flag cairn manager or cairn node does not accept is caught', () => {
  caught(setArg('40-manager.yaml', 'cairn-manager', '--id=', '--name=$(POD_NAME)'), /cairn manager has no flag --name/);
  caught(
    setArg('50-node.yaml', 'cairn-node', '--nbd-socket=', '--nbd-host=127.0.0.1'),
    /cairn node has no flag --nbd-host/,
  );
  caught(setArg('50-node.yaml', 'cairn-node', '--node-id=', null), /--node-id is required/);
  caught(
    setArg('50-node.yaml', 'cairn-node', '--node-token-file=', '--token=s3cret'),
    /--token puts the secret in the pod spec/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')?.args.push('extra');
    }),
    /unexpected arguments extra/,
  );
  // The command's declaration is the source of truth: a flag it does not declare fails even where the manifests use it.
  const { 'zone-from-node': _dropped, ...fewer } = AGENT_COMMAND.flags;
  const narrower: Expectations = { ...X, agentCommand: { ...AGENT_COMMAND, flags: fewer } };
  assert.ok(checkAll(real, narrower).some((p) => /cairn node has no flag --zone-from-node/.test(p)));
});

test('a sidecar flag the sidecar does not have is caught', () => {
  caught(
    setArg('40-manager.yaml', 'csi-attacher', '--worker-threads=', '--workers=10'),
    /csi-attacher: csi-attacher has no flag --workers/,
  );
  caught(
    setArg('50-node.yaml', 'node-driver-registrar', '--v=', '--driver-name=csi.cairn.io'),
    /csi-node-driver-registrar has no flag --driver-name/,
  );
});

// --- the node pod

test('the node pod without its privileges, host mounts or downward-API values is caught', () => {
  caught(
    mutate('50-node.yaml', (o) => {
      delete container(o, 'cairn-node')!.volumeMounts.find((v: Obj) => v.name === 'kubelet-dir').mountPropagation;
    }),
    /must mount the host's \/var\/lib\/kubelet with mountPropagation Bidirectional/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')!.securityContext.privileged = false;
    }),
    /cairn node must be privileged/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      o.spec.template.spec.hostNetwork = false;
    }),
    /hostNetwork must be true/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      delete o.spec.template.spec.dnsPolicy;
    }),
    /dnsPolicy must be ClusterFirstWithHostNet/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')!.env.find((e: Obj) => e.name === 'NODE_NAME').valueFrom.fieldRef.fieldPath =
        'metadata.name';
    }),
    /--node-id must come from spec\.nodeName/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')!.env.find((e: Obj) => e.name === 'HOST_IP').valueFrom.fieldRef.fieldPath =
        'metadata.uid';
    }),
    /--data-host must come from status\.podIP or status\.hostIP/,
  );
  caught(
    setArg('50-node.yaml', 'cairn-node', '--disk=', '--disk=/data/disks/default'),
    /--disk \/data\/disks\/default is not on a hostPath volume/,
  );
  caught(
    setArg('50-node.yaml', 'cairn-node', '--manager=', '--manager=cairn-managers.cairn-system.svc:7800'),
    /--manager cairn-managers\.cairn-system\.svc:7800 is not a Service of the manifests/,
  );
  caught(
    setArg('50-node.yaml', 'cairn-node', '--manager=', '--manager=cairn-manager.cairn-system.svc:7900'),
    /Service cairn-manager has no port 7900/,
  );
});

test('a manager listening where its Service or node agents cannot reach it is caught', () => {
  caught(
    setArg('40-manager.yaml', 'cairn-manager', '--listen=', '--listen=0.0.0.0:7800'),
    /--listen must be the pod's IP/,
  );
  caught(
    setArg('40-manager.yaml', 'cairn-manager', '--listen=', '--listen=$(POD_IP):7801'),
    /listens on 7801 but declares no such container port/,
  );
});

// --- RBAC

test('a node holding the admin token, or none of its own, or a token for an audience the managers do not check, is caught', () => {
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')?.args.push('--token-file=/etc/cairn/token/token');
    }),
    /holds the admin token .*a node uses its own credential/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')?.env.push({ name: 'CAIRN_TOKEN', value: 'x' });
    }),
    /holds the admin token/,
  );
  caught(
    setArg('50-node.yaml', 'cairn-node', '--node-token-file=', null),
    /no node credential \(--node-token-file or CAIRN_NODE_TOKEN\)/,
  );
  caught(
    mutate('50-node.yaml', (o) => {
      o.spec?.template?.spec?.volumes
        ?.find((v: Obj) => v.projected)
        ?.projected.sources.forEach((s: Obj) => {
          if (s.serviceAccountToken) s.serviceAccountToken.audience = 'other';
        });
    }),
    /its token is for audience "other", but a cairn manager checks audience "cairn"/,
  );
  caught(
    setArg('40-manager.yaml', 'cairn-manager', '--node-token-audience=', null),
    /but a cairn manager has no --node-token-audience/,
  );
});

test('a sidecar or the node agent without the permissions it needs is caught', () => {
  caught(
    mutate('20-rbac-manager.yaml', (o) => {
      if (o.metadata.name === 'cairn-external-provisioner' && o.kind === 'ClusterRole')
        o.rules = o.rules.filter((r: Obj) => !r.resources.includes('persistentvolumes'));
    }),
    /csi-provisioner: ServiceAccount cairn-manager may not create persistentvolumes/,
  );
  caught(
    mutate('20-rbac-manager.yaml', (o) => {
      if (o.kind === 'RoleBinding') o.subjects[0].name = 'default';
    }),
    /leader election needs get on leases, which ServiceAccount cairn-manager lacks/,
  );
  caught(
    mutate('20-rbac-manager.yaml', (o) => {
      if (o.metadata.name === 'cairn-external-attacher' && o.kind === 'ClusterRole') o.rules.pop();
    }),
    /csi-attacher: ServiceAccount cairn-manager may not patch storage\.k8s\.io\/volumeattachments\/status/,
  );
  caught(
    mutate('21-rbac-node.yaml', (o) => {
      if (o.kind === 'ClusterRole') o.rules[0].verbs = ['list'];
    }),
    /--zone-from-node reads the Node, but ServiceAccount cairn-node may not get nodes/,
  );
  caught(
    mutate('20-rbac-manager.yaml', (o) => {
      if (o.kind === 'ClusterRole' && o.metadata.name === 'cairn-manager')
        o.rules = o.rules.filter((r: Obj) => !r.resources.includes('tokenreviews'));
    }),
    /--node-token-audience reviews node tokens, but ServiceAccount cairn-manager may not create authentication.k8s.io\/tokenreviews/,
  );
  // (The resizer's ClusterRole may read pods too; the drain Role's "get" is what deploy/ relies on.)
  caught(
    mutate('20-rbac-manager.yaml', (o) => {
      if (o.kind.endsWith('Role'))
        o.rules.forEach((r: Obj) => {
          if (r.resources.includes('pods')) r.verbs = r.verbs.filter((v: string) => v !== 'get');
        });
    }),
    /reads the pod a node token is bound to, but ServiceAccount cairn-manager may not get pods/,
  );
  const noPods = mutate('20-rbac-manager.yaml', (o) => {
    if (o.metadata.name === 'cairn-external-resizer' && o.kind === 'ClusterRole')
      o.rules = o.rules.filter((r: Obj) => !r.resources.includes('pods'));
  });
  assert.equal(newProblems(noPods), [], 'with --handle-volume-inuse-error=false the resizer needs no pods');
  const m = mutate(
    '40-manager.yaml',
    (o) => {
      const c = container(o, 'csi-resizer');
      if (c) c.args = c.args.filter((a: string) => !a.startsWith('--handle-volume-inuse-error'));
    },
    noPods,
  );
  caught(m, /--handle-volume-inuse-error needs list on pods/);
});

// --- images

test('inconsistent or unpinned images, and a Dockerfile that does not run cairn, are caught', () => {
  caught(
    mutate('50-node.yaml', (o) => {
      container(o, 'cairn-node')!.image = 'cairn:0.2.0';
    }),
    /the cairn containers must share one image, found: cairn:0\.1\.0, cairn:0\.2\.0/,
  );
  caught(
    mutate('40-manager.yaml', (o) => {
      const c = container(o, 'csi-provisioner');
      if (c) c.image = 'registry.k8s.io/sig-storage/csi-provisioner:latest';
    }),
    /image registry\.k8s\.io\/sig-storage\/csi-provisioner:latest is not pinned to a release/,
  );
  caught(
    mutate('30-etcd.yaml', (o) => {
      const c = container(o, 'etcd');
      if (c) c.image = 'gcr.io/etcd-development/etcd';
    }),
    /image gcr\.io\/etcd-development\/etcd is not pinned/,
  );
  caught(
    { ...real, kustomization: { ...real.kustomization, images: [{ name: 'cairn', newTag: '0.0.9' }] } },
    /kustomization\.yaml tags the cairn image 0\.0\.9, not 0\.1\.0/,
  );
  caught(
    {
      ...real,
      dockerfile: real.dockerfile.replace(
        /^ENTRYPOINT .*$/m,
        'ENTRYPOINT ["node", "/app/packages/cli/dist/src/main.js"]',
      ),
    },
    /ENTRYPOINT .* must end in cairn/,
  );
  caught(
    mutate('40-manager.yaml', (o) => {
      const c = container(o, 'cairn-manager');
      if (c) c.image = 'cairn:latest';
    }),
    /must share one image/,
  );
});

// --- the operator's guide shows real commands (docs/operations.md from "## Kubernetes", deploy/README.md)

const scratch = mkdtempSync(join(tmpdir(), 'cairn-doc-'));
// kubectl talks to nothing: an API server address where nothing listens, so each command is
// parsed by kubectl itself and then fails to connect.
const KUBECONFIG = join(scratch, 'kubeconfig');
writeFileSync(
  KUBECONFIG,
  [
    'apiVersion: v1',
    'kind: Config',
    'current-context: none',
    'clusters: [{name: none, cluster: {server: "http://127.0.0.1:9"}}]',
    'users: [{name: none, user: {token: none}}]',
    'contexts: [{name: none, context: {cluster: none, user: none}}]',
    '',
  ].join('\n'),
);
const SHELL_ENV: NodeJS.ProcessEnv = { ...process.env, VOL: 'pvc-1', KUBECONFIG };
// cairn runs in this process (its `run`, as `cairn` does) with an admin API every call of which
// fails with REACHED: a command that gets there was parsed and accepted.
const REACHED = 'doc check: the command reached the admin API';
const unreachable = new Proxy(
  {},
  {
    get: (_, p) => {
      if (p === 'close') return () => undefined;
      if (p === 'then') return undefined;
      if (p === 'watchEvents')
        return () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error(REACHED)) }) });
      return () => Promise.reject(new Error(REACHED));
    },
  },
) as AdminApi;

/** A shell line's words: '...' and "..." quoting, $VOL expanded as the guide's `VOL=` sets it. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map(
    (m) => m[1] ?? (m[2] ?? m[3]!).replace(/\$\{?VOL\}?/g, 'pvc-1'),
  );
}
const PROCESS_COMMANDS = new Set(['up', 'down', 'restart', 'status']);

/** Runs a shell command line in the repository; its exit status and stderr. */
function sh(line: string): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: ROOT, env: SHELL_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? 1, stderr });
    });
  });
}

/** Prose names commands (`cairn node`, `kubectl exec`) without their arguments, never with wrong ones. */
const WRONG = /unknown (flag|shorthand flag|command)|needs a value|has no flag/;

/** null when the program takes the command (it got as far as the unreachable server), else why not. */
async function refused(c: DocCommand): Promise<string | null> {
  const words = c.line.split(/\s+/);
  if (c.program === 'cairn') {
    const sub = words[1] ?? '';
    if (PROCESS_COMMANDS.has(sub))
      return c.inline && words.length === 2 ? null : `cairn ${sub} runs a local cluster, not for Kubernetes`;
    // Offline: it parsed if it ran, or stopped at the CA another line of the guide makes.
    if (sub === 'pki') {
      const io = bufferIo({ env: {}, cwd: scratch });
      const status = await runCli(shellWords(c.line).slice(1), io, { api: () => unreachable });
      return status === 0 || /^cairn: no CA in /.test(io.err())
        ? null
        : `exit ${status}: ${io.err().trim().split('\n')[0]}`;
    }
    // Running an agent or a manager: its flags must be ones it declares (it is not started here).
    if (sub === 'manager' || (sub === 'node' && (words[2] ?? '').startsWith('--'))) {
      const known = commandFlags(sub === 'manager' ? MANAGER_COMMAND : AGENT_COMMAND);
      const bad = words
        .filter((w) => w.startsWith('--'))
        .map((w) => w.slice(2).split('=')[0]!)
        .filter((f) => !known.has(f));
      return bad.length ? `cairn ${sub} has no flag ${bad.map((f) => `--${f}`).join(', ')}` : null;
    }
    const io = bufferIo({ env: { CAIRN_ENDPOINT: '127.0.0.1:9', CAIRN_TOKEN: 'x' }, cwd: scratch });
    const status = await runCli(shellWords(c.line).slice(1), io, { api: () => unreachable });
    if (io.err().includes(REACHED)) return null;
    if (status === 0 && /--help|^cairn( help| version)?$/.test(c.line)) return null;
    if (c.inline && !WRONG.test(io.err())) return null;
    return `exit ${status}: ${io.err().trim().split('\n')[0]}`;
  }
  const r = await sh(`${c.line} </dev/null`);
  // Refused connection: parsed. A missing file (apply -f app.yaml, the YAML above saved) is read after parsing.
  if (
    /connection refused|was refused|the path ".*" does not exist|error reading \S+: no such file or directory/.test(
      r.stderr,
    ) &&
    !/unknown (flag|shorthand flag|command)/.test(r.stderr)
  )
    return null;
  if (c.inline && !WRONG.test(r.stderr)) return null;
  return `exit ${r.status}: ${
    r.stderr
      .trim()
      .split('\n')
      .find((l) => /error/i.test(l)) ?? r.stderr.trim()
  }`;
}

/** refused() over many commands, each distinct one once, a few at a time (kubectl is a process each). */
async function allRefused(cs: DocCommand[]): Promise<string[]> {
  const verdicts = new Map<string, Promise<string | null>>();
  const key = (c: DocCommand): string => `${c.inline}|${c.line}`;
  const queue = cs.filter((c, i) => cs.findIndex((d) => key(d) === key(c)) === i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const v = refused(c);
        verdicts.set(key(c), v);
        await v;
      }
    }),
  );
  const out: string[] = [];
  for (const c of cs) {
    const why = await verdicts.get(key(c))!;
    if (why !== null) out.push(`${c.where}: ${c.line}: ${why}`);
  }
  return out;
}

const guide = (() => {
  const ops = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const k8s = ops.slice(ops.indexOf('## Kubernetes'));
  const offset = ops.slice(0, ops.indexOf('## Kubernetes')).split('\n').length - 1;
  return [
    ...docCommands(k8s, 'docs/operations.md').map((c) => ({
      ...c,
      where: c.where.replace(/:(\d+)$/, (_, n) => `:${Number(n) + offset}`),
    })),
    ...docCommands(real.readme, 'deploy/README.md'),
    ...docCommands(readFileSync(join(ROOT, 'docs/backups.md'), 'utf8'), 'docs/backups.md'),
  ];
})();

test('every cairn and kubectl command the guides show is one the programs take', async () => {
  assert.ok(
    guide.filter((c) => !c.inline && c.program === 'cairn').length >= 10,
    `cairn commands found: ${guide.length}`,
  );
  assert.ok(guide.filter((c) => !c.inline && c.program === 'kubectl').length >= 15, 'kubectl commands found');
  assert.equal(await allRefused(guide), []);
});

test('a command the programs do not take is caught', async () => {
  const one = (line: string, inline = false): Promise<string | null> =>
    refused({ ...shellCommands(line)[0]!, inline, where: 'x' });
  assert.is(await one('cairn volume get pvc-1'), null);
  assert.match(String(await one('cairn volume get pvc-1 --replicas 2')), /unknown flag --replicas/);
  assert.is(await one('cairn volume get "$VOL" -o json'), null);
  assert.match(String(await one('cairn volume get')), /missing NAME/);
  assert.is(await one('cairn volume get', true), null);
  assert.match(String(await one('cairn node update --tags', true)), /needs a value/);
  assert.match(String(await one('cairn node --manager m --zone-of-node n', true)), /no flag --zone-of-node/);
  assert.match(String(await one('cairn up --nodes 3')), /local cluster/);
  assert.is(await one('kubectl -n cairn-system get pods -w'), null);
  assert.match(String(await one('kubectl drain NODE --ignore-daemonset')), /unknown flag/);
  assert.match(String(await one('kubectl cordn NODE', true)), /unknown command/);
  // The extraction: comments, pipes, VAR=$(...), quoted $(...), cairn inside kubectl exec.
  assert.equal(
    shellCommands(
      `VOL=$(kubectl get pv "$(kubectl get pvc data -o jsonpath='{.spec.volumeName}')" -o name)  # the handle`,
    ),
    [{ program: 'kubectl', line: 'kubectl get pv "x" -o name' }],
  );
  assert.equal(shellCommands('kubectl -n s exec deploy/m -c m -- cairn node ls | head'), [
    { program: 'kubectl', line: 'kubectl -n s exec deploy/m -c m -- cairn node ls' },
    { program: 'cairn', line: 'cairn node ls' },
  ]);
  assert.equal(
    docCommands('text `cairn node ls` and `kubectl cordon NODE`\n```sh\ncairn volume get \\\n  $VOL\n```\n', 'f').map(
      (c) => [c.line, c.inline, c.where],
    ),
    [
      ['cairn node ls', true, 'f:1'],
      ['kubectl cordon NODE', true, 'f:1'],
      ['cairn volume get $VOL', false, 'f:4'],
    ],
  );
});

test('kubectl kustomize builds deploy/ into every manifest, with the cairn image set', () => {
  const r = spawnSync('kubectl', ['kustomize', join(ROOT, 'deploy')], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.error, undefined, 'these checks need kubectl (the client only; no cluster)');
  assert.is(r.status, 0, r.stderr);
  const built = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
  const mine = Object.values(real.files).flatMap((t) =>
    parseAllDocuments(t, { version: '1.1' })
      .map((d) => d.toJS() as Obj)
      .filter(Boolean),
  );
  const ids = (os: Obj[]): string[] =>
    os.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`).sort();
  assert.equal(ids(built), ids(mine));
  const images = new Set(built.flatMap((o) => (o.spec?.template?.spec?.containers ?? []).map((c: Obj) => c.image)));
  assert.ok(images.has(`cairn:${X.version}`), [...images].join(', '));
});

test("the guide's YAML parses, and uses the classes deploy/ installs; its Longhorn StorageClass is deploy/'s", () => {
  const ops = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const blocks = [...ops.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const objs = blocks
    .flatMap((b) =>
      parseAllDocuments(b, { version: '1.1' }).map((d) => {
        assert.equal(d.errors, [], b.slice(0, 80));
        return d.toJS() as Obj;
      }),
    )
    .filter(Boolean);
  const deployed = Object.values(real.files).flatMap((t) =>
    parseAllDocuments(t, { version: '1.1' })
      .map((d) => d.toJS() as Obj)
      .filter(Boolean),
  );
  const names = (kind: string): string[] => deployed.filter((o) => o.kind === kind).map((o) => o.metadata.name);
  const classes = [
    ...names('StorageClass'),
    ...objs.filter((o) => o.kind === 'StorageClass').map((o) => o.metadata.name),
  ];
  for (const o of objs) {
    if (o.kind === 'PersistentVolumeClaim')
      assert.ok(classes.includes(o.spec.storageClassName), `PVC ${o.metadata.name}: ${o.spec.storageClassName}`);
    if (o.kind === 'VolumeSnapshot')
      assert.ok(
        names('VolumeSnapshotClass').includes(o.spec.volumeSnapshotClassName),
        `VolumeSnapshot ${o.metadata.name}`,
      );
  }
  const shown = objs.filter((o) => o.kind === 'StorageClass');
  assert.is(shown.length, 1);
  const compat = deployed.find((o) => o.kind === 'StorageClass' && o.metadata.name === shown[0]!.metadata.name)!;
  assert.ok(compat, 'the guide shows a StorageClass deploy/ installs');
  for (const k of ['provisioner', 'allowVolumeExpansion', 'reclaimPolicy', 'volumeBindingMode', 'parameters'])
    assert.equal(shown[0]![k], compat[k], k);
  assert.ok(
    objs.filter((o) => o.kind === 'PersistentVolumeClaim').length >= 3 && objs.some((o) => o.kind === 'Pod'),
    'a PVC, a pod, a restore and a clone',
  );
});

test("metrics: each process's --metrics-listen is its container port metrics, a Service and a ServiceMonitor reach it; a mismatch is caught", () => {
  const monitoring = loadMonitoring(ROOT);
  const defaults = { manager: DEFAULT_MANAGER_METRICS, node: DEFAULT_NODE_METRICS };
  const check = (m: Manifests, mon = monitoring): string[] => checkMonitoring(parseManifests(m).docs, mon, defaults);
  assert.equal(check(real), []);
  assert.ok(
    check(setArg('40-manager.yaml', 'cairn-manager', '--metrics-listen', '--metrics-listen=:9600')).some((p) =>
      /port 9600 is not its container port metrics \(9500\)/.test(p),
    ),
  );
  assert.ok(
    check(setArg('40-manager.yaml', 'cairn-manager', '--metrics-listen', null)).some((p) => /is loopback only/.test(p)),
    'the default is loopback',
  );
  assert.ok(
    check(setArg('50-node.yaml', 'cairn-node', '--metrics-listen', '--metrics-listen=:9501')).some((p) =>
      /must be the node's address/.test(p),
    ),
  );
  assert.ok(
    check(setArg('50-node.yaml', 'cairn-node', '--metrics-listen', '--metrics-listen=off')).some((p) =>
      /is off/.test(p),
    ),
  );
  const noNodeMonitor = monitoring.filter((d) => d.obj.metadata.name !== 'cairn-node');
  assert.ok(check(real, noNodeMonitor).some((p) => /cairn node.*no ServiceMonitor/.test(p)));
});

test('kubectl kustomize builds deploy/monitoring/: the ServiceMonitors and the dashboard ConfigMap Grafana picks up', () => {
  const r = spawnSync('kubectl', ['kustomize', join(ROOT, 'deploy', 'monitoring')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(r.status, 0, r.stderr);
  const built = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
  assert.equal(built.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    'ConfigMap/cairn-grafana-dashboard',
    'ServiceMonitor/cairn-manager',
    'ServiceMonitor/cairn-node',
  ]);
  const cm = built.find((o) => o.kind === 'ConfigMap')!;
  assert.is(cm.metadata.labels.grafana_dashboard, '1');
  const dash = JSON.parse(cm.data['cairn-dashboard.json']);
  assert.ok(dash.panels.some((p: Obj) => (p.targets ?? []).some((x: Obj) => /cairn_volume_robustness/.test(x.expr))));
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();

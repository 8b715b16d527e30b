// deploy/ (issue 6, section 6): the manifests parse and refer to each other consistently (names,
// sockets, service accounts, flags, endpoints, images). No Kubernetes runs here, so this is what
// can be checked; deploy/README.md says what cannot. Every check is also shown to fail: each test
// below breaks a copy of the manifests in one way and expects that one mistake to be reported.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { DRIVER_NAME, parseStorageClass, STORAGE_CLASS_PARAMETERS } from '@cairn/csi';
import { MANAGER_USAGE } from '@cairn/manager';
import { AGENT_USAGE } from '@cairn/agent';
import { SETTING_DEFS } from '@cairn/metadata';
import { checkAll, documentedSecrets, loadManifests, parseFlags, usageFlags } from './support/deploy-checks.js';
import type { Expectations, Manifests, Obj } from './support/deploy-checks.js';

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
  managerUsage: MANAGER_USAGE,
  agentUsage: AGENT_USAGE,
  version: JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version,
  dataLocalities: enumValues(SETTING_DEFS['default-data-locality']),
  // A volume's replicaAutoBalance may also defer to the setting ("ignored"), as in Longhorn.
  replicaAutoBalances: ['ignored', ...enumValues(SETTING_DEFS['replica-auto-balance'])],
  replicaCount: { min: 'min' in replicaCount ? replicaCount.min : 1, max: 'max' in replicaCount ? replicaCount.max : 20 },
  parseStorageClass,
};

const real = loadManifests(ROOT);

/** A copy of the manifests with the documents of `file` changed by `edit` (each document in turn). */
function mutate(file: string, edit: (o: Obj) => void, base: Manifests = real): Manifests {
  const docs = parseAllDocuments(base.files[file]!, { version: '1.1' }).map((d) => d.toJS() as Obj).filter(Boolean);
  for (const o of docs) edit(o);
  return { ...base, files: { ...base.files, [file]: docs.map((o) => stringify(o, { version: '1.1' })).join('---\n') } };
}

const container = (o: Obj, n: string): Obj | undefined => o.spec?.template?.spec?.containers?.find((c: Obj) => c.name === n);

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
  assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got:\n${problems.join('\n') || '(none)'}`);
}

test('the committed manifests are consistent', () => {
  assert.equal(checkAll(real, X), []);
  assert.ok(Object.keys(real.files).length >= 10, 'every manifest file was loaded');
});

test('the helpers read flags, usage texts and the README\'s secret command as intended', () => {
  const { flags, positionals } = parseFlags(['--a=1', '--b', '--c', 'v', '-v=2', 'stray', '--d=x=y']);
  assert.equal([...flags], [['a', '1'], ['b', true], ['c', 'v'], ['v', '2'], ['d', 'x=y']]);
  assert.equal(positionals, ['stray']);
  assert.ok(usageFlags(MANAGER_USAGE).has('csi-socket') && usageFlags(MANAGER_USAGE).has('etcd'));
  assert.ok(usageFlags(AGENT_USAGE).has('zone-from-node') && usageFlags(AGENT_USAGE).has('csi-state-dir'));
  assert.equal([...documentedSecrets(real.readme)], [['cairn-system/cairn-token', new Set(['token'])]]);
});

// --- parsing and the file list

test('a YAML syntax error is caught, naming the file', () => {
  caught({ ...real, files: { ...real.files, '10-csidriver.yaml': real.files['10-csidriver.yaml']!.replace('attachRequired: true', 'attachRequired: [true') } }, /^10-csidriver\.yaml: YAML error/);
});

test('a document without metadata.name or kind is caught', () => {
  caught(mutate('12-volumesnapshotclass.yaml', (o) => delete o.metadata.name), /12-volumesnapshotclass\.yaml: a VolumeSnapshotClass has no metadata\.name/);
  caught(mutate('00-namespace.yaml', (o) => delete o.kind), /00-namespace\.yaml: a document has no kind/);
});

test('kustomization.yaml must list every file, and only files that exist', () => {
  caught({ ...real, kustomization: { ...real.kustomization, resources: real.kustomization.resources.filter((f: string) => f !== '50-node.yaml') } }, /does not list 50-node\.yaml/);
  caught({ ...real, kustomization: { ...real.kustomization, resources: [...real.kustomization.resources, '70-missing.yaml'] } }, /lists 70-missing\.yaml, which is not in deploy/);
  caught({ ...real, files: { ...real.files, '70-extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: cairn-system\n' } }, /does not list 70-extra\.yaml/);
});

test('an object in a namespace nobody creates is caught', () => {
  caught(mutate('21-rbac-node.yaml', (o) => { if (o.kind === 'ServiceAccount') o.metadata.namespace = 'kube-system'; }), /ServiceAccount kube-system\/cairn-node is in namespace kube-system, which no manifest creates/);
});

// --- references between objects

test('a pod running as a ServiceAccount that does not exist is caught', () => {
  caught(mutate('50-node.yaml', (o) => { o.spec.template.spec.serviceAccountName = 'cairn-nodes'; }), /runs as ServiceAccount cairn-nodes, which no manifest defines/);
});

test('a binding to a missing ClusterRole or ServiceAccount is caught', () => {
  caught(mutate('20-rbac-manager.yaml', (o) => { if (o.kind === 'ClusterRoleBinding' && o.metadata.name === 'cairn-external-attacher') o.roleRef.name = 'external-attacher-runner'; }), /binds ClusterRole external-attacher-runner, which no manifest defines/);
  caught(mutate('21-rbac-node.yaml', (o) => { if (o.kind === 'ClusterRoleBinding') o.subjects[0].namespace = 'default'; }), /binds ServiceAccount default\/cairn-node, which no manifest defines/);
});

test('a Secret that is neither a manifest nor created in the README is caught; so is a key it does not have', () => {
  caught(mutate('40-manager.yaml', (o) => { const v = o.spec?.template?.spec?.volumes?.find((x: Obj) => x.secret); if (v) v.secret.secretName = 'cairn-admin-token'; }), /Secret cairn-admin-token, which is neither in the manifests nor created in cairn-system/);
  caught(setArg('50-node.yaml', 'cairn-node', '--token-file=', '--token-file=/etc/cairn/token/admin-token'), /reads \/etc\/cairn\/token\/admin-token, but Secret cairn-token has no key "admin-token"/);
  caught({ ...real, readme: real.readme.replace(/--from-literal=token=/g, '--from-literal=bearer=') }, /reads \/etc\/cairn\/token\/token, but Secret cairn-token has no key "token"/);
  caught({ ...real, readme: real.readme.replace(/-n cairn-system create secret/g, '-n default create secret') }, /Secret cairn-token, which is neither in the manifests nor created in cairn-system/);
});

test('a ConfigMap, a PriorityClass or a volume that does not exist is caught', () => {
  caught(mutate('40-manager.yaml', (o) => { o.spec?.template?.spec?.volumes?.push({ name: 'cfg', configMap: { name: 'cairn-config' } }); }), /from ConfigMap cairn-config, which no manifest defines/);
  caught(mutate('30-etcd.yaml', (o) => { if (o.kind === 'StatefulSet') o.spec.template.spec.priorityClassName = 'cairn-high'; }), /uses PriorityClass cairn-high, which no manifest defines/);
  caught(mutate('50-node.yaml', (o) => { o.spec.template.spec.volumes = o.spec.template.spec.volumes.filter((v: Obj) => v.name !== 'dev-dir'); }), /mounts volume dev-dir, which the pod does not have/);
});

test('a Service, StatefulSet, PDB or NetworkPolicy that selects or names the wrong thing is caught', () => {
  caught(mutate('40-manager.yaml', (o) => { if (o.kind === 'Service') o.spec.selector = { 'app.kubernetes.io/name': 'cairn-managers' }; }), /Service cairn-system\/cairn-manager selects no pods/);
  caught(mutate('40-manager.yaml', (o) => { if (o.kind === 'Service') o.spec.ports[0].targetPort = 'admin'; }), /port api targets admin, which its pods do not declare/);
  caught(mutate('30-etcd.yaml', (o) => { if (o.kind === 'Service') delete o.spec.clusterIP; }), /Service cairn-etcd is not headless/);
  caught(mutate('30-etcd.yaml', (o) => { if (o.kind === 'PodDisruptionBudget') o.spec.selector.matchLabels = { app: 'etcd' }; }), /PodDisruptionBudget cairn-system\/cairn-etcd selects no pods/);
  caught(mutate('60-networkpolicy.yaml', (o) => { o.spec.ingress[0].from[0].podSelector.matchLabels = { 'app.kubernetes.io/name': 'manager' }; }), /admits pods labelled .*manager.*, and there are none/);
  caught(mutate('50-node.yaml', (o) => { o.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'node' }; }), /selector does not match its pod template's labels/);
});

test('an env reference $(VAR) the container does not define is caught', () => {
  caught(setArg('50-node.yaml', 'cairn-node', '--node-id=', '--node-id=$(KUBE_NODE_NAME)'), /uses \$\(KUBE_NODE_NAME\) which the container does not define/);
});

// --- the CSI driver's objects

test('a StorageClass provisioner or snapshot class driver other than the driver is caught', () => {
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn-fast') o.provisioner = 'driver.cairn.io'; }), /StorageClass cairn-fast: provisioner driver\.cairn\.io is not the driver csi\.cairn\.io/);
  caught(mutate('12-volumesnapshotclass.yaml', (o) => { o.driver = 'cairn.io'; }), /driver cairn\.io is not csi\.cairn\.io/);
  caught(mutate('10-csidriver.yaml', (o) => { o.metadata.name = 'cairn.csi.io'; }), /there must be one CSIDriver named csi\.cairn\.io/);
  caught(mutate('10-csidriver.yaml', (o) => { o.spec.attachRequired = false; }), /attachRequired must be true/);
});

test('a StorageClass parameter the driver does not take, or a bad value, is caught', () => {
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn') o.parameters.replicaCount = '3'; }), /StorageClass cairn: parameter replicaCount is not one the driver takes/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn') o.parameters.numberOfReplicas = 3; }), /parameter numberOfReplicas must be a string/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn-fast') o.parameters.dataLocality = 'best_effort'; }), /dataLocality "best_effort" is not one of disabled, best-effort, strict-local/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn') o.parameters.numberOfReplicas = '0'; }), /numberOfReplicas "0" must be a whole number from 1/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn') o.parameters.replicaAutoBalance = 'sometimes'; }), /replicaAutoBalance "sometimes" is not one of/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn') o.parameters['csi.storage.k8s.io/fstype'] = 'xfs'; }), /fsType ext4 and csi\.storage\.k8s\.io\/fstype xfs disagree/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn-fast') delete o.parameters.diskSelector; }), /StorageClass cairn-fast: diskSelector must be "fast"/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn-longhorn-compat') o.parameters.migratable = 'true'; }), /StorageClass cairn-longhorn-compat: migratable must be "false"/);
});

test('a StorageClass CreateVolume would refuse is caught, in the words of the driver\'s parser', () => {
  // strict-local keeps the one replica on the attached node: three replicas contradict it.
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn') o.parameters.dataLocality = 'strict-local'; }), /StorageClass cairn: CreateVolume would refuse its parameters: .*strict-local needs numberOfReplicas 1/);
  caught(mutate('11-storageclasses.yaml', (o) => { if (o.metadata.name === 'cairn-fast') o.parameters.diskSelector = 'fast disk'; }), /StorageClass cairn-fast: CreateVolume would refuse its parameters: .*diskSelector/);
});

// --- sockets

test('the registrar pointed at another socket than the one cairn node serves is caught', () => {
  caught(setArg('50-node.yaml', 'node-driver-registrar', '--csi-address=', '--csi-address=/csi/plugin.sock'), /node-driver-registrar: --csi-address \/csi\/plugin\.sock is host \/var\/lib\/kubelet\/plugins\/csi\.cairn\.io\/plugin\.sock, but cairn node serves host \/var\/lib\/kubelet\/plugins\/csi\.cairn\.io\/csi\.sock/);
  caught(setArg('50-node.yaml', 'cairn-node', '--csi-socket=', '--csi-socket=/csi/cairn.sock'), /--csi-address \/csi\/csi\.sock is host .*csi\.sock, but cairn node serves host .*cairn\.sock/);
  caught(setArg('50-node.yaml', 'node-driver-registrar', '--kubelet-registration-path=', '--kubelet-registration-path=/var/lib/kubelet/plugins/cairn/csi.sock'), /--kubelet-registration-path \/var\/lib\/kubelet\/plugins\/cairn\/csi\.sock is not the socket's host path/);
  caught(mutate('50-node.yaml', (o) => { o.spec.template.spec.volumes.find((v: Obj) => v.name === 'socket-dir').hostPath.path = '/var/lib/kubelet/plugins/cairn'; }), /serves \/csi\/csi\.sock, which is host \/var\/lib\/kubelet\/plugins\/cairn\/csi\.sock, not in \/var\/lib\/kubelet\/plugins\/csi\.cairn\.io/);
});

test('a controller sidecar on another socket, or not sharing the volume, is caught', () => {
  caught(setArg('40-manager.yaml', 'csi-resizer', '--csi-address=', '--csi-address=/csi/resizer.sock'), /csi-resizer: --csi-address \/csi\/resizer\.sock is emptyDir volume socket-dir:\/resizer\.sock, but the manager serves emptyDir volume socket-dir:\/csi\.sock/);
  caught(mutate('40-manager.yaml', (o) => { const c = container(o, 'csi-attacher'); if (c) c.volumeMounts = []; }), /csi-attacher: --csi-address \/csi\/csi\.sock is \/csi\/csi\.sock \(on no volume\)/);
  caught(setArg('40-manager.yaml', 'cairn-manager', '--csi-socket=', '--csi-socket=/tmp/csi.sock'), /the manager's --csi-socket \/tmp\/csi\.sock is on \/tmp\/csi\.sock \(on no volume\), not a shared emptyDir/);
  caught(mutate('40-manager.yaml', (o) => { const s = o.spec?.template?.spec; if (s) s.containers = s.containers.filter((c: Obj) => c.name !== 'csi-snapshotter'); }), /there is no csi-snapshotter sidecar/);
  caught(setArg('40-manager.yaml', 'csi-provisioner', '--leader-election', null), /csi-provisioner: 2 replicas need --leader-election/);
  caught(setArg('40-manager.yaml', 'csi-provisioner', '--extra-create-metadata', null), /csi-provisioner: no --extra-create-metadata/);
});

// --- etcd

test('--etcd endpoints that do not name the StatefulSet\'s members are caught', () => {
  const etcd = 'http://cairn-etcd-0.cairn-etcd.cairn-system.svc:2379,http://cairn-etcd-1.cairn-etcd.cairn-system.svc:2379';
  caught(setArg('40-manager.yaml', 'cairn-manager', '--etcd=', `--etcd=${etcd}`), /--etcd .* must name the 3 members of StatefulSet cairn-etcd/);
  caught(setArg('40-manager.yaml', 'cairn-manager', '--etcd=', `--etcd=${etcd},http://cairn-etcd-2.etcd.cairn-system.svc:2379`), /must name the 3 members/);
  caught(mutate('30-etcd.yaml', (o) => { if (o.kind === 'StatefulSet') o.spec.replicas = 5; }), /must name the 5 members of StatefulSet cairn-etcd/);
  caught(mutate('30-etcd.yaml', (o) => { if (o.kind === 'StatefulSet') o.spec.serviceName = 'etcd'; }), /names Service etcd, which no manifest defines/);
  caught(mutate('30-etcd.yaml', (o) => { const c = container(o, 'etcd'); if (c) c.args = c.args.map((a: string) => a.replace('cairn-etcd-2=', 'etcd-2=')); }), /--initial-cluster must be/);
  caught(mutate('30-etcd.yaml', (o) => { if (o.kind === 'StatefulSet') o.spec.volumeClaimTemplates[0].metadata.name = 'etcd-data'; }), /--data-dir must be a volume from volumeClaimTemplates/);
});

// --- cairn's own flags

test('a flag cairn manager or cairn node does not accept is caught', () => {
  caught(setArg('40-manager.yaml', 'cairn-manager', '--id=', '--name=$(POD_NAME)'), /cairn manager has no flag --name/);
  caught(setArg('50-node.yaml', 'cairn-node', '--nbd-port=', '--nbd-host=127.0.0.1'), /cairn node has no flag --nbd-host/);
  caught(setArg('50-node.yaml', 'cairn-node', '--node-id=', null), /--node-id is required/);
  caught(setArg('50-node.yaml', 'cairn-node', '--token-file=', '--token=s3cret'), /--token puts the secret in the pod spec/);
  caught(mutate('50-node.yaml', (o) => { container(o, 'cairn-node')?.args.push('extra'); }), /unexpected arguments extra/);
  // The usage text is the source of truth: a flag it does not list fails even where the manifests use it.
  const narrower: Expectations = { ...X, agentUsage: AGENT_USAGE.replace('--zone-from-node NODE', '') };
  assert.ok(checkAll(real, narrower).some((p) => /cairn node has no flag --zone-from-node/.test(p)));
});

test('a sidecar flag the sidecar does not have is caught', () => {
  caught(setArg('40-manager.yaml', 'csi-attacher', '--worker-threads=', '--workers=10'), /csi-attacher: csi-attacher has no flag --workers/);
  caught(setArg('50-node.yaml', 'node-driver-registrar', '--v=', '--driver-name=csi.cairn.io'), /csi-node-driver-registrar has no flag --driver-name/);
});

// --- the node pod

test('the node pod without its privileges, host mounts or downward-API values is caught', () => {
  caught(mutate('50-node.yaml', (o) => { delete container(o, 'cairn-node')!.volumeMounts.find((v: Obj) => v.name === 'kubelet-dir').mountPropagation; }), /must mount the host's \/var\/lib\/kubelet with mountPropagation Bidirectional/);
  caught(mutate('50-node.yaml', (o) => { container(o, 'cairn-node')!.securityContext.privileged = false; }), /cairn node must be privileged/);
  caught(mutate('50-node.yaml', (o) => { o.spec.template.spec.hostNetwork = false; }), /hostNetwork must be true/);
  caught(mutate('50-node.yaml', (o) => { delete o.spec.template.spec.dnsPolicy; }), /dnsPolicy must be ClusterFirstWithHostNet/);
  caught(mutate('50-node.yaml', (o) => { container(o, 'cairn-node')!.env.find((e: Obj) => e.name === 'NODE_NAME').valueFrom.fieldRef.fieldPath = 'metadata.name'; }), /--node-id must come from spec\.nodeName/);
  caught(mutate('50-node.yaml', (o) => { container(o, 'cairn-node')!.env.find((e: Obj) => e.name === 'HOST_IP').valueFrom.fieldRef.fieldPath = 'metadata.uid'; }), /--data-host must come from status\.podIP or status\.hostIP/);
  caught(setArg('50-node.yaml', 'cairn-node', '--disk=', '--disk=/data/disks/default'), /--disk \/data\/disks\/default is not on a hostPath volume/);
  caught(setArg('50-node.yaml', 'cairn-node', '--manager=', '--manager=cairn-managers.cairn-system.svc:7800'), /--manager cairn-managers\.cairn-system\.svc:7800 is not a Service of the manifests/);
  caught(setArg('50-node.yaml', 'cairn-node', '--manager=', '--manager=cairn-manager.cairn-system.svc:7900'), /Service cairn-manager has no port 7900/);
});

test('a manager listening where its Service or node agents cannot reach it is caught', () => {
  caught(setArg('40-manager.yaml', 'cairn-manager', '--listen=', '--listen=0.0.0.0:7800'), /--listen must be the pod's IP/);
  caught(setArg('40-manager.yaml', 'cairn-manager', '--listen=', '--listen=$(POD_IP):7801'), /listens on 7801 but declares no such container port/);
});

// --- RBAC

test('a sidecar or the node agent without the permissions it needs is caught', () => {
  caught(mutate('20-rbac-manager.yaml', (o) => { if (o.metadata.name === 'cairn-external-provisioner' && o.kind === 'ClusterRole') o.rules = o.rules.filter((r: Obj) => !r.resources.includes('persistentvolumes')); }), /csi-provisioner: ServiceAccount cairn-manager may not create persistentvolumes/);
  caught(mutate('20-rbac-manager.yaml', (o) => { if (o.kind === 'RoleBinding') o.subjects[0].name = 'default'; }), /leader election needs get on leases, which ServiceAccount cairn-manager lacks/);
  caught(mutate('20-rbac-manager.yaml', (o) => { if (o.metadata.name === 'cairn-external-attacher' && o.kind === 'ClusterRole') o.rules.pop(); }), /csi-attacher: ServiceAccount cairn-manager may not patch storage\.k8s\.io\/volumeattachments\/status/);
  caught(mutate('21-rbac-node.yaml', (o) => { if (o.kind === 'ClusterRole') o.rules[0].verbs = ['list']; }), /--zone-from-node reads the Node, but ServiceAccount cairn-node may not get nodes/);
  const noPods = mutate('20-rbac-manager.yaml', (o) => { if (o.metadata.name === 'cairn-external-resizer' && o.kind === 'ClusterRole') o.rules = o.rules.filter((r: Obj) => !r.resources.includes('pods')); });
  assert.equal(newProblems(noPods), [], 'with --handle-volume-inuse-error=false the resizer needs no pods');
  const m = mutate('40-manager.yaml', (o) => { const c = container(o, 'csi-resizer'); if (c) c.args = c.args.filter((a: string) => !a.startsWith('--handle-volume-inuse-error')); }, noPods);
  caught(m, /--handle-volume-inuse-error needs list on pods/);
});

// --- images

test('inconsistent or unpinned images, and a Dockerfile that does not run cairn, are caught', () => {
  caught(mutate('50-node.yaml', (o) => { container(o, 'cairn-node')!.image = 'cairn:0.2.0'; }), /the cairn containers must share one image, found: cairn:0\.1\.0, cairn:0\.2\.0/);
  caught(mutate('40-manager.yaml', (o) => { const c = container(o, 'csi-provisioner'); if (c) c.image = 'registry.k8s.io/sig-storage/csi-provisioner:latest'; }), /image registry\.k8s\.io\/sig-storage\/csi-provisioner:latest is not pinned to a release/);
  caught(mutate('30-etcd.yaml', (o) => { const c = container(o, 'etcd'); if (c) c.image = 'gcr.io/etcd-development/etcd'; }), /image gcr\.io\/etcd-development\/etcd is not pinned/);
  caught({ ...real, kustomization: { ...real.kustomization, images: [{ name: 'cairn', newTag: '0.0.9' }] } }, /kustomization\.yaml tags the cairn image 0\.0\.9, not 0\.1\.0/);
  caught({ ...real, dockerfile: real.dockerfile.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT ["node", "/app/packages/cli/dist/src/main.js"]') }, /ENTRYPOINT .* must end in cairn/);
  caught(mutate('40-manager.yaml', (o) => { const c = container(o, 'cairn-manager'); if (c) c.image = 'cairn:latest'; }), /must share one image/);
});

test.run();

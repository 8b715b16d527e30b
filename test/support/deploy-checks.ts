// The consistency checks of deploy/ (test/deploy.test.ts): load every manifest, then check that
// what one object names another object has, that sockets, flags, endpoints and images agree, and
// that cairn's own commands accept the flags the containers pass. Each check returns problems as
// sentences naming the file and object; an empty list means consistent. Pure over a `Manifests`
// value, so the tests can mutate a copy and see each check fail.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { longFlags } from '@cairn/api';
import type { CommandSpec } from '@cairn/api';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are untyped JSON, read deep and wide
export type Obj = Record<string, any>;

export interface Doc {
  file: string;
  obj: Obj;
}

export interface Manifests {
  /** Every YAML file in deploy/ except kustomization.yaml, by name, as text. */
  files: Record<string, string>;
  kustomization: Obj;
  readme: string;
  dockerfile: string;
}

/** What the checks compare against: values from cairn's own packages. */
export interface Expectations {
  driverName: string;
  storageClassParameters: readonly string[];
  /** The command lines of `cairn manager` and `cairn node`, as they declare them (MANAGER_COMMAND, AGENT_COMMAND). */
  managerCommand: CommandSpec;
  agentCommand: CommandSpec;
  /** The version the image is tagged with (the root package.json's). */
  version: string;
  dataLocalities: readonly string[];
  replicaAutoBalances: readonly string[];
  replicaCount: { min: number; max: number };
  /**
   * cairn's own reading of a StorageClass's parameters as CreateVolume receives them
   * (parseStorageClass): it throws for what CreateVolume would refuse.
   */
  parseStorageClass: (params: Record<string, string>) => unknown;
}

export function loadManifests(root: string): Manifests {
  const dir = join(root, 'deploy');
  const files: Record<string, string> = {};
  let kustomization: Obj = {};
  for (const name of readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    if (name === 'kustomization.yaml') kustomization = parseAllDocuments(text, { version: '1.1' })[0]?.toJS() ?? {};
    else files[name] = text;
  }
  return {
    files,
    kustomization,
    readme: readFileSync(join(dir, 'README.md'), 'utf8'),
    dockerfile: readFileSync(join(root, 'Dockerfile'), 'utf8'),
  };
}

/**
 * Parses every document (as Kubernetes reads YAML: 1.1, so 0400 is octal and yes is a boolean).
 * Problems: syntax errors, documents without apiVersion, kind or metadata.name, duplicates.
 */
export function parseManifests(m: Manifests): { docs: Doc[]; problems: string[] } {
  const docs: Doc[] = [];
  const problems: string[] = [];
  for (const [file, text] of Object.entries(m.files)) {
    for (const d of parseAllDocuments(text, { version: '1.1', prettyErrors: false })) {
      if (d.errors.length) {
        problems.push(`${file}: YAML error: ${d.errors[0]!.message}`);
        continue;
      }
      const obj = d.toJS({ maxAliasCount: -1 }) as Obj | null;
      if (obj === null || obj === undefined) continue; // an empty document (a trailing ---)
      const where = `${file}: a ${obj.kind ?? 'document'}`;
      if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) problems.push(`${where} has no apiVersion`);
      if (typeof obj.kind !== 'string' || !obj.kind) problems.push(`${where} has no kind`);
      if (typeof obj.metadata?.name !== 'string' || !obj.metadata.name) problems.push(`${where} has no metadata.name`);
      docs.push({ file, obj });
    }
  }
  const seen = new Set<string>();
  for (const d of docs) {
    const key = `${d.obj.kind}/${d.obj.metadata?.namespace ?? ''}/${d.obj.metadata?.name}`;
    if (seen.has(key)) problems.push(`${d.file}: ${key} is defined twice`);
    seen.add(key);
  }
  return { docs, problems };
}

// ---------------------------------------------------------------------------------------------
// Small helpers over the objects

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CSIDriver',
  'StorageClass',
  'VolumeSnapshotClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
]);
const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'Job']);

const name = (o: Obj): string => o.metadata?.name;
const ns = (o: Obj): string | undefined => o.metadata?.namespace;
const label = (d: Doc): string => `${d.file}: ${d.obj.kind} ${ns(d.obj) ? `${ns(d.obj)}/` : ''}${name(d.obj)}`;

function find(docs: Doc[], kind: string, n: string, namespace?: string): Doc | undefined {
  return docs.find(
    (d) => d.obj.kind === kind && name(d.obj) === n && (namespace === undefined || ns(d.obj) === namespace),
  );
}

const ofKind = (docs: Doc[], kind: string): Doc[] => docs.filter((d) => d.obj.kind === kind);
const podSpec = (d: Doc): Obj => d.obj.spec?.template?.spec ?? {};
const podLabels = (d: Doc): Obj => d.obj.spec?.template?.metadata?.labels ?? {};
const containers = (spec: Obj): Obj[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

function matches(selector: Obj | undefined, labels: Obj): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A container's flags: `--name=value`, `--name value` (value not starting with -) and `--name`. */
export function parseFlags(args: string[]): { flags: Map<string, string | true>; positionals: string[] } {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(a);
    if (!m) {
      positionals.push(a);
      continue;
    }
    if (m[2] !== undefined) flags.set(m[1]!, m[2]);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith('-')) flags.set(m[1]!, args[++i]!);
    else flags.set(m[1]!, true);
  }
  return { flags, positionals };
}

/** The long flags a command accepts, from its declaration (what its parser reads): `--etcd` -> etcd. */
export function commandFlags(spec: CommandSpec): Set<string> {
  return new Set(longFlags(spec).map((f) => f.replace(/^--/, '')));
}

/** The cairn container of a pod: the one whose args start with the subcommand. */
function cairnContainer(spec: Obj, sub: string): Obj | undefined {
  return containers(spec).find((c) => Array.isArray(c.args) && c.args[0] === sub);
}

const str = (v: string | true | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export type Place =
  | { kind: 'hostPath'; path: string }
  | { kind: 'emptyDir'; volume: string; path: string }
  | { kind: 'other'; volume: string; path: string }
  | { kind: 'container'; path: string };

/** Where a path inside a container really is: on which volume (the longest mount that holds it). */
export function resolvePath(spec: Obj, container: Obj, path: string): Place {
  let best: Obj | undefined;
  for (const m of container.volumeMounts ?? []) {
    const mp = String(m.mountPath).replace(/\/+$/, '');
    if (
      (path === mp || path.startsWith(`${mp}/`)) &&
      (!best || mp.length > String(best.mountPath).replace(/\/+$/, '').length)
    )
      best = m;
  }
  if (!best) return { kind: 'container', path };
  const rest = path.slice(String(best.mountPath).replace(/\/+$/, '').length).replace(/^\//, '');
  const vol = (spec.volumes ?? []).find((v: Obj) => v.name === best!.name);
  if (!vol) return { kind: 'other', volume: `(missing volume ${best.name})`, path: rest };
  if (vol.hostPath) return { kind: 'hostPath', path: posix.join(vol.hostPath.path, rest) };
  if (vol.emptyDir) return { kind: 'emptyDir', volume: vol.name, path: rest };
  return { kind: 'other', volume: vol.name, path: rest };
}

const placeText = (p: Place): string =>
  p.kind === 'hostPath'
    ? `host ${p.path}`
    : p.kind === 'container'
      ? `${p.path} (on no volume)`
      : `${p.kind} volume ${p.volume}:/${p.path}`;

const samePlace = (a: Place, b: Place): boolean => placeText(a) === placeText(b) && a.kind !== 'container';

/** $(VAR) references Kubernetes expands from the container's env (undefined ones stay literal). */
function undefinedVars(c: Obj): string[] {
  const env: Obj[] = c.env ?? [];
  const out: string[] = [];
  const check = (text: string, defined: Set<string>, where: string): void => {
    for (const m of text.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
      if (!defined.has(m[1]!)) out.push(`${where} uses $(${m[1]}) which the container does not define`);
  };
  const all = new Set(env.map((e) => e.name));
  for (const a of [...(c.args ?? []), ...(c.command ?? [])]) check(String(a), all, `argument "${a}"`);
  const before = new Set<string>();
  for (const e of env) {
    if (typeof e.value === 'string') check(e.value, before, `env ${e.name}`); // only earlier ones expand
    before.add(e.name);
  }
  return out;
}

/** Which env var an argument's $(VAR) comes from, and that var's fieldRef. */
function fieldOf(c: Obj, value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(value);
  if (!m) return undefined;
  return (c.env ?? []).find((e: Obj) => e.name === m[1])?.valueFrom?.fieldRef?.fieldPath;
}

// ---------------------------------------------------------------------------------------------
// The checks

/** kustomization.yaml lists exactly the manifest files. */
export function checkKustomization(m: Manifests): string[] {
  const listed: string[] = m.kustomization.resources ?? [];
  const out: string[] = [];
  for (const f of Object.keys(m.files)) if (!listed.includes(f)) out.push(`kustomization.yaml does not list ${f}`);
  for (const f of listed) if (!(f in m.files)) out.push(`kustomization.yaml lists ${f}, which is not in deploy/`);
  return out;
}

/** Namespaced objects say their namespace, and it is one the manifests create. */
export function checkNamespaces(docs: Doc[]): string[] {
  const out: string[] = [];
  const spaces = new Set(ofKind(docs, 'Namespace').map((d) => name(d.obj)));
  for (const d of docs) {
    if (CLUSTER_SCOPED.has(d.obj.kind)) {
      if (ns(d.obj)) out.push(`${label(d)} is cluster-scoped but has a namespace`);
    } else if (!ns(d.obj)) out.push(`${label(d)} has no metadata.namespace`);
    else if (!spaces.has(ns(d.obj)!)) out.push(`${label(d)} is in namespace ${ns(d.obj)}, which no manifest creates`);
  }
  return out;
}

/** Secrets the user creates (deploy/README.md says how), as NAMESPACE/NAME, and the keys it gives them. */
export function documentedSecrets(readme: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const lines = readme.replace(/\\\n/g, ' ').split('\n'); // shell continuation lines joined
  for (const line of lines) {
    const m = /kubectl\s.*\bcreate\s+secret\s+generic\s+([a-z0-9.-]+)\s(.*)$/.exec(line);
    const space = /(?:\s-n|--namespace)[\s=]+([a-z0-9-]+)/.exec(line)?.[1];
    if (!m || !space) continue;
    out.set(`${space}/${m[1]!}`, new Set([...m[2]!.matchAll(/--from-(?:literal|file)=([^\s=]+)=/g)].map((k) => k[1]!)));
  }
  return out;
}

/** Everything a pod names exists: service account, priority class, secrets and config maps (with their keys). */
export function checkPodReferences(docs: Doc[], readme: string): string[] {
  const out: string[] = [];
  const userSecrets = documentedSecrets(readme);
  for (const d of docs.filter((x) => WORKLOADS.has(x.obj.kind))) {
    const spec = podSpec(d);
    const where = label(d);
    const sa = spec.serviceAccountName ?? spec.serviceAccount;
    if (sa && !find(docs, 'ServiceAccount', sa, ns(d.obj)))
      out.push(`${where} runs as ServiceAccount ${sa}, which no manifest defines`);
    const pc = spec.priorityClassName;
    if (pc && !pc.startsWith('system-') && !find(docs, 'PriorityClass', pc))
      out.push(`${where} uses PriorityClass ${pc}, which no manifest defines`);
    const secretKeys = (secret: string, what: string): Set<string> | null => {
      const obj = find(docs, 'Secret', secret, ns(d.obj));
      if (obj) return new Set([...Object.keys(obj.obj.data ?? {}), ...Object.keys(obj.obj.stringData ?? {})]);
      const documented = userSecrets.get(`${ns(d.obj)}/${secret}`);
      if (documented) return documented;
      out.push(
        `${where} ${what} Secret ${secret}, which is neither in the manifests nor created in ${ns(d.obj)} by a command in deploy/README.md`,
      );
      return null;
    };
    const mountKeys = new Map<string, { keys: Set<string> | null; what: string }>(); // volume name -> keys
    for (const v of spec.volumes ?? []) {
      if (v.secret)
        mountKeys.set(v.name, {
          keys: secretKeys(v.secret.secretName, `mounts volume ${v.name} from`),
          what: `Secret ${v.secret.secretName}`,
        });
      // A projected volume's files are its sources' paths (a service-account token's, say).
      if (v.projected) {
        const paths = (v.projected.sources ?? []).flatMap((s: Obj) => [
          s.serviceAccountToken?.path,
          ...[s.secret, s.configMap].flatMap((x: Obj | undefined) => (x?.items ?? []).map((i: Obj) => i.path)),
        ]);
        mountKeys.set(v.name, {
          keys: new Set(paths.filter((x: unknown): x is string => typeof x === 'string')),
          what: `projected volume ${v.name}`,
        });
      }
      if (v.configMap) {
        const cm = find(docs, 'ConfigMap', v.configMap.name, ns(d.obj));
        if (!cm)
          out.push(`${where} mounts volume ${v.name} from ConfigMap ${v.configMap.name}, which no manifest defines`);
        else
          mountKeys.set(v.name, {
            keys: new Set(Object.keys(cm.obj.data ?? {})),
            what: `ConfigMap ${v.configMap.name}`,
          });
      }
    }
    const volumeNames = new Set(
      [...(spec.volumes ?? []), ...(d.obj.spec?.volumeClaimTemplates ?? []).map((t: Obj) => t.metadata ?? {})].map(
        (v: Obj) => v.name,
      ),
    );
    for (const c of containers(spec)) {
      for (const vm of c.volumeMounts ?? [])
        if (!volumeNames.has(vm.name))
          out.push(`${where} container ${c.name} mounts volume ${vm.name}, which the pod does not have`);
      for (const e of c.env ?? []) {
        const sk = e.valueFrom?.secretKeyRef;
        if (sk) {
          const keys = secretKeys(sk.name, `container ${c.name} env ${e.name} reads`);
          if (keys && !keys.has(sk.key))
            out.push(
              `${where} container ${c.name} env ${e.name} reads key ${sk.key} that Secret ${sk.name} does not have`,
            );
        }
        const ck = e.valueFrom?.configMapKeyRef;
        if (ck && !find(docs, 'ConfigMap', ck.name, ns(d.obj)))
          out.push(`${where} container ${c.name} env ${e.name} reads ConfigMap ${ck.name}, which no manifest defines`);
      }
      // A file read from a mounted Secret or ConfigMap (e.g. --token-file=/etc/cairn/token/token) is one of its keys.
      const texts = [
        ...(c.args ?? []),
        ...(c.env ?? []).map((e: Obj) => e.value).filter((v: unknown) => typeof v === 'string'),
      ];
      for (const vm of c.volumeMounts ?? []) {
        const mk = mountKeys.get(vm.name);
        if (!mk?.keys) continue;
        const prefix = `${String(vm.mountPath).replace(/\/+$/, '')}/`;
        for (const t of texts) {
          for (const m of String(t).matchAll(/(\/[^\s,=:]+)/g)) {
            if (!m[1]!.startsWith(prefix)) continue;
            const key = m[1]!.slice(prefix.length);
            if (!mk.keys.has(key))
              out.push(`${where} container ${c.name} reads ${m[1]}, but ${mk.what} has no key "${key}"`);
          }
        }
      }
      for (const p of undefinedVars(c)) out.push(`${where} container ${c.name}: ${p}`);
      // Probes naming a port by name name one the container declares.
      const portNames = new Set((c.ports ?? []).map((p: Obj) => p.name));
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (typeof port === 'string' && !portNames.has(port))
          out.push(`${where} container ${c.name} ${probe} uses port ${port}, which the container does not declare`);
      }
    }
    // A Job's selector is Kubernetes' to generate.
    if (d.obj.kind !== 'Job' && !matches(d.obj.spec?.selector?.matchLabels, podLabels(d)))
      out.push(`${where}'s selector does not match its pod template's labels`);
  }
  return out;
}

/** Bindings name roles and service accounts that exist; Services, PDBs and policies select pods. */
export function checkObjectReferences(docs: Doc[]): string[] {
  const out: string[] = [];
  const pods = docs.filter((d) => WORKLOADS.has(d.obj.kind));
  for (const d of [...ofKind(docs, 'ClusterRoleBinding'), ...ofKind(docs, 'RoleBinding')]) {
    const ref = d.obj.roleRef ?? {};
    const role = ref.kind === 'Role' ? find(docs, 'Role', ref.name, ns(d.obj)) : find(docs, 'ClusterRole', ref.name);
    if (!role) out.push(`${label(d)} binds ${ref.kind} ${ref.name}, which no manifest defines`);
    for (const s of d.obj.subjects ?? []) {
      if (s.kind === 'ServiceAccount' && !find(docs, 'ServiceAccount', s.name, s.namespace ?? ns(d.obj))) {
        out.push(`${label(d)} binds ServiceAccount ${s.namespace ?? ns(d.obj)}/${s.name}, which no manifest defines`);
      }
    }
  }
  for (const d of ofKind(docs, 'Service')) {
    const targets = pods.filter((p) => ns(p.obj) === ns(d.obj) && matches(d.obj.spec?.selector, podLabels(p)));
    if (targets.length === 0) {
      out.push(`${label(d)} selects no pods of the manifests`);
      continue;
    }
    for (const port of d.obj.spec?.ports ?? []) {
      const tp = port.targetPort ?? port.port;
      const ok = targets.some((p) =>
        containers(podSpec(p)).some((c) =>
          (c.ports ?? []).some((cp: Obj) => cp.name === tp || cp.containerPort === tp),
        ),
      );
      if (!ok) out.push(`${label(d)} port ${port.name ?? port.port} targets ${tp}, which its pods do not declare`);
    }
  }
  for (const d of ofKind(docs, 'StatefulSet')) {
    const svc = find(docs, 'Service', d.obj.spec?.serviceName, ns(d.obj));
    if (!svc) out.push(`${label(d)} names Service ${d.obj.spec?.serviceName}, which no manifest defines`);
    else if (svc.obj.spec?.clusterIP !== 'None')
      out.push(`${label(d)}'s Service ${name(svc.obj)} is not headless (clusterIP: None)`);
  }
  for (const d of [...ofKind(docs, 'PodDisruptionBudget'), ...ofKind(docs, 'NetworkPolicy')]) {
    const sel = d.obj.spec?.selector?.matchLabels ?? d.obj.spec?.podSelector?.matchLabels;
    if (!pods.some((p) => ns(p.obj) === ns(d.obj) && matches(sel, podLabels(p))))
      out.push(`${label(d)} selects no pods of the manifests`);
    for (const rule of d.obj.spec?.ingress ?? []) {
      for (const f of rule.from ?? []) {
        if (f.podSelector && !pods.some((p) => matches(f.podSelector.matchLabels, podLabels(p))))
          out.push(`${label(d)} admits pods labelled ${JSON.stringify(f.podSelector.matchLabels)}, and there are none`);
      }
    }
  }
  return out;
}

/** The CSIDriver, StorageClasses and VolumeSnapshotClass agree with the driver (name, parameters, values). */
export function checkStorage(docs: Doc[], x: Expectations): string[] {
  const out: string[] = [];
  const drivers = ofKind(docs, 'CSIDriver');
  if (drivers.length !== 1 || name(drivers[0]!.obj) !== x.driverName)
    out.push(
      `there must be one CSIDriver named ${x.driverName} (found: ${drivers.map((d) => name(d.obj)).join(', ') || 'none'})`,
    );
  for (const d of drivers) {
    const s = d.obj.spec ?? {};
    if (s.attachRequired !== true)
      out.push(`${label(d)}: attachRequired must be true (ControllerPublishVolume starts the engine)`);
    if (s.podInfoOnMount !== true) out.push(`${label(d)}: podInfoOnMount must be true`);
    if (JSON.stringify(s.volumeLifecycleModes) !== JSON.stringify(['Persistent']))
      out.push(`${label(d)}: volumeLifecycleModes must be [Persistent]`);
    if (!['File', 'ReadWriteOnceWithFSType', 'None'].includes(s.fsGroupPolicy))
      out.push(`${label(d)}: fsGroupPolicy "${s.fsGroupPolicy}" is not a Kubernetes value`);
  }
  const known = new Set(x.storageClassParameters);
  for (const d of ofKind(docs, 'StorageClass')) {
    const where = label(d);
    if (d.obj.provisioner !== x.driverName)
      out.push(`${where}: provisioner ${d.obj.provisioner} is not the driver ${x.driverName}`);
    if (!['Immediate', 'WaitForFirstConsumer'].includes(d.obj.volumeBindingMode))
      out.push(`${where}: volumeBindingMode must be Immediate or WaitForFirstConsumer`);
    if (d.obj.allowVolumeExpansion !== true)
      out.push(`${where}: allowVolumeExpansion must be true (the driver expands online)`);
    const p: Obj = d.obj.parameters ?? {};
    for (const [k, v] of Object.entries(p)) {
      if (!known.has(k) && !k.startsWith('csi.storage.k8s.io/'))
        out.push(`${where}: parameter ${k} is not one the driver takes (${[...known].join(', ')})`);
      if (typeof v !== 'string')
        out.push(`${where}: parameter ${k} must be a string (quote it), got ${JSON.stringify(v)}`);
    }
    const int = (k: string, min: number, max: number): void => {
      if (p[k] === undefined) return;
      const n = Number(p[k]);
      if (!/^\d+$/.test(String(p[k])) || n < min || n > max)
        out.push(`${where}: ${k} "${p[k]}" must be a whole number from ${min} to ${max}`);
    };
    int('numberOfReplicas', x.replicaCount.min, x.replicaCount.max);
    int('staleReplicaTimeout', 1, Number.MAX_SAFE_INTEGER);
    if (p.dataLocality !== undefined && !x.dataLocalities.includes(p.dataLocality))
      out.push(`${where}: dataLocality "${p.dataLocality}" is not one of ${x.dataLocalities.join(', ')}`);
    if (p.replicaAutoBalance !== undefined && !x.replicaAutoBalances.includes(p.replicaAutoBalance))
      out.push(
        `${where}: replicaAutoBalance "${p.replicaAutoBalance}" is not one of ${x.replicaAutoBalances.join(', ')}`,
      );
    if (
      p.fsType !== undefined &&
      p['csi.storage.k8s.io/fstype'] !== undefined &&
      p.fsType !== p['csi.storage.k8s.io/fstype']
    ) {
      out.push(`${where}: fsType ${p.fsType} and csi.storage.k8s.io/fstype ${p['csi.storage.k8s.io/fstype']} disagree`);
    }
    // The driver's own parser has the last word: the class must be one CreateVolume takes.
    if (Object.values(p).every((v) => typeof v === 'string')) {
      try {
        x.parseStorageClass(p);
      } catch (e) {
        out.push(`${where}: CreateVolume would refuse its parameters: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  for (const d of ofKind(docs, 'VolumeSnapshotClass')) {
    if (d.obj.driver !== x.driverName) out.push(`${label(d)}: driver ${d.obj.driver} is not ${x.driverName}`);
  }
  const want: [string, Obj][] = [
    ['cairn', { numberOfReplicas: '3', dataLocality: 'disabled' }],
    ['cairn-fast', { numberOfReplicas: '1', diskSelector: 'fast', dataLocality: 'best-effort' }],
    // Longhorn's example as Longhorn writes it (docs/operations.md copies it).
    [
      'cairn-longhorn-compat',
      {
        numberOfReplicas: '3',
        staleReplicaTimeout: '2880',
        fromBackup: '',
        fsType: 'ext4',
        migratable: 'false',
        encrypted: 'false',
        dataEngine: 'v1',
      },
    ],
  ];
  for (const [n, params] of want) {
    const sc = find(docs, 'StorageClass', n);
    if (!sc) out.push(`there is no StorageClass ${n}`);
    else
      for (const [k, v] of Object.entries(params))
        if (sc.obj.parameters?.[k] !== v) out.push(`${label(sc)}: ${k} must be "${v}"`);
  }
  return out;
}

/** Only flags `cairn manager` / `cairn node` accept; required ones present; no stray positionals. */
export function checkCairnFlags(docs: Doc[], x: Expectations): string[] {
  const out: string[] = [];
  const nodeAudiences: { where: string; aud: string }[] = [];
  const managerAudiences: (string | null)[] = [];
  const usage: Record<string, { flags: Set<string>; required: string[] }> = {
    manager: { flags: commandFlags(x.managerCommand), required: ['etcd'] },
    node: { flags: commandFlags(x.agentCommand), required: ['manager', 'node-id', 'disk'] },
  };
  let seen = 0;
  for (const d of docs.filter((y) => WORKLOADS.has(y.obj.kind))) {
    for (const c of containers(podSpec(d))) {
      const sub = c.args?.[0];
      const u = usage[sub];
      if (!u || !isCairnImage(c.image)) continue;
      seen++;
      const { flags, positionals } = parseFlags(c.args.slice(1));
      const where = `${label(d)} container ${c.name} (cairn ${sub})`;
      for (const f of flags.keys()) if (!u.flags.has(f)) out.push(`${where}: cairn ${sub} has no flag --${f}`);
      for (const f of u.required) if (!flags.has(f)) out.push(`${where}: --${f} is required`);
      if (positionals.length) out.push(`${where}: unexpected arguments ${positionals.join(' ')}`);
      const env = (name: string): boolean => (c.env ?? []).some((e: Obj) => e.name === name);
      const hasToken = flags.has('token') || flags.has('token-file') || env('CAIRN_TOKEN');
      if (sub === 'manager' && !hasToken) out.push(`${where}: no token (--token-file, --token or CAIRN_TOKEN)`);
      if (flags.has('token'))
        out.push(`${where}: --token puts the secret in the pod spec; use --token-file from the Secret`);
      if (sub === 'node') {
        // A node holds its own credential, never the admin token (which could delete any volume).
        if (hasToken)
          out.push(
            `${where}: holds the admin token (--token-file, --token or CAIRN_TOKEN); a node uses its own credential (--node-token-file)`,
          );
        if (!flags.has('node-token-file') && !env('CAIRN_NODE_TOKEN'))
          out.push(`${where}: no node credential (--node-token-file or CAIRN_NODE_TOKEN)`);
        const aud = projectedTokenAudience(podSpec(d), c, str(flags.get('node-token-file')));
        if (aud !== null) nodeAudiences.push({ where, aud });
      }
      if (sub === 'manager') managerAudiences.push(str(flags.get('node-token-audience')) ?? null);
    }
  }
  if (seen < 2) out.push(`expected a cairn manager and a cairn node container, found ${seen} cairn container(s)`);
  // A node presenting a projected service-account token is checked by managers reviewing that audience.
  for (const n of nodeAudiences) {
    for (const m of managerAudiences) {
      if (m !== n.aud)
        out.push(
          `${n.where}: its token is for audience "${n.aud}", but a cairn manager ${m === null ? 'has no --node-token-audience' : `checks audience "${m}"`}`,
        );
    }
  }
  return out;
}

/** The audience of the projected service-account token a container reads at `file`, or null when it reads none there. */
function projectedTokenAudience(spec: Obj, c: Obj, file: string | undefined): string | null {
  if (!file) return null;
  for (const vm of c.volumeMounts ?? []) {
    const prefix = `${String(vm.mountPath).replace(/\/+$/, '')}/`;
    if (!file.startsWith(prefix)) continue;
    const v = (spec.volumes ?? []).find((x: Obj) => x.name === vm.name);
    const sat = (v?.projected?.sources ?? [])
      .map((s: Obj) => s.serviceAccountToken)
      .find((s: Obj | undefined) => s?.path === file.slice(prefix.length));
    if (sat) return String(sat.audience ?? '');
  }
  return null;
}

const isCairnImage = (image: unknown): boolean => typeof image === 'string' && /(^|\/)cairn(:|@|$)/.test(image);

const SIDECARS = ['csi-provisioner', 'csi-attacher', 'csi-snapshotter', 'csi-resizer'] as const;
/** Flags every kubernetes-csi sidecar takes (csi-lib-utils standardflags, klog). */
const COMMON_SIDECAR_FLAGS = [
  'csi-address',
  'leader-election',
  'leader-election-namespace',
  'leader-election-lease-duration',
  'leader-election-renew-deadline',
  'leader-election-retry-period',
  'http-endpoint',
  'metrics-address',
  'metrics-path',
  'kube-api-qps',
  'kube-api-burst',
  'kubeconfig',
  'v',
  'feature-gates',
  'timeout',
  'retry-interval-start',
  'retry-interval-max',
  'automaxprocs',
  'version',
];
/** Each sidecar's own flags, from its repository's cmd/ (the versions pinned in 40-manager.yaml). */
const SIDECAR_FLAGS: Record<string, string[]> = {
  'csi-provisioner': [
    'volume-name-prefix',
    'volume-name-uuid-length',
    'worker-threads',
    'cloning-protection-threads',
    'capacity-threads',
    'strict-topology',
    'immediate-topology',
    'extra-create-metadata',
    'enable-pprof',
    'default-fstype',
    'enable-capacity',
    'capacity-for-immediate-binding',
    'capacity-poll-interval',
    'capacity-ownerref-level',
    'node-deployment',
    'controller-publish-readonly',
    'prevent-volume-mode-conversion',
  ],
  'csi-attacher': [
    'worker-threads',
    'max-entries',
    'default-fstype',
    'reconcile-sync',
    'resync',
    'max-grpc-log-length',
  ],
  'csi-snapshotter': [
    'worker-threads',
    'extra-create-metadata',
    'snapshot-name-prefix',
    'snapshot-name-uuid-length',
    'resync-period',
    'node-deployment',
    'retry-crd-interval-max',
  ],
  'csi-resizer': ['workers', 'handle-volume-inuse-error', 'extra-modify-metadata', 'resync-period'],
  'csi-node-driver-registrar': [
    'kubelet-registration-path',
    'plugin-registration-path',
    'connection-timeout',
    'health-port',
    'mode',
    'enable-pprof',
  ],
};

const sidecarKind = (image: unknown): string | undefined =>
  typeof image === 'string' ? /\/sig-storage\/([a-z-]+):/.exec(image)?.[1] : undefined;

/** The manager pod: its CSI socket is the one all four controller sidecars use; leader election; etcd. */
export function checkManagerPod(docs: Doc[]): string[] {
  const out: string[] = [];
  const mgr = docs.find((d) => WORKLOADS.has(d.obj.kind) && cairnContainer(podSpec(d), 'manager'));
  if (!mgr) return ['no workload runs cairn manager'];
  const spec = podSpec(mgr);
  const where = label(mgr);
  const m = cairnContainer(spec, 'manager')!;
  const mf = parseFlags(m.args.slice(1)).flags;
  const sock = str(mf.get('csi-socket'));
  if (!sock) out.push(`${where}: cairn manager has no --csi-socket`);
  const sockPlace = sock ? resolvePath(spec, m, sock) : undefined;
  if (sockPlace && sockPlace.kind !== 'emptyDir')
    out.push(`${where}: the manager's --csi-socket ${sock} is on ${placeText(sockPlace)}, not a shared emptyDir`);
  const replicas = mgr.obj.spec?.replicas ?? 1;
  for (const kind of SIDECARS) {
    const c = containers(spec).find((y) => sidecarKind(y.image) === kind);
    if (!c) {
      out.push(`${where}: there is no ${kind} sidecar`);
      continue;
    }
    const f = parseFlags(c.args ?? []).flags;
    const addr = str(f.get('csi-address'))?.replace(/^unix:\/\//, '');
    if (!addr) out.push(`${where} ${c.name}: no --csi-address`);
    else if (sockPlace) {
      const p = resolvePath(spec, c, addr);
      if (!samePlace(p, sockPlace))
        out.push(
          `${where} ${c.name}: --csi-address ${addr} is ${placeText(p)}, but the manager serves ${placeText(sockPlace)}`,
        );
    }
    if (replicas > 1 && f.get('leader-election') !== true && f.get('leader-election') !== 'true')
      out.push(`${where} ${c.name}: ${replicas} replicas need --leader-election`);
    if (!f.has('timeout'))
      out.push(`${where} ${c.name}: no --timeout (the defaults, 10-15 s, are short for cairn's calls)`);
  }
  for (const kind of ['csi-provisioner', 'csi-snapshotter']) {
    const c = containers(spec).find((y) => sidecarKind(y.image) === kind);
    if (c && !parseFlags(c.args ?? []).flags.has('extra-create-metadata'))
      out.push(`${where} ${c.name}: no --extra-create-metadata`);
  }
  // --etcd names every member of the etcd StatefulSet through its headless Service, at the client port.
  const etcd = ofKind(docs, 'StatefulSet').find((d) =>
    containers(podSpec(d)).some((c) => /etcd/.test(String(c.image))),
  );
  const endpoints = str(mf.get('etcd'))?.split(',') ?? [];
  if (!etcd) out.push('there is no etcd StatefulSet');
  else {
    const set = name(etcd.obj),
      svc = etcd.obj.spec?.serviceName,
      space = ns(etcd.obj);
    const n = etcd.obj.spec?.replicas ?? 1;
    const service = find(docs, 'Service', svc, space);
    const clientPort = service?.obj.spec?.ports?.find((p: Obj) => p.name === 'client')?.port;
    if (!clientPort) out.push(`${label(etcd)}: its Service ${svc} has no port named client`);
    const want = Array.from({ length: n }, (_, i) => `https://${set}-${i}.${svc}.${space}.svc:${clientPort}`);
    if (JSON.stringify([...endpoints].sort()) !== JSON.stringify(want)) {
      out.push(
        `${where}: --etcd ${endpoints.join(',')} must name the ${n} members of StatefulSet ${set}: ${want.join(',')}`,
      );
    }
    if (n < 3) out.push(`${label(etcd)}: ${n} member(s); a quorum that survives a lost member needs 3`);
    const e = containers(podSpec(etcd)).find((c) => /etcd/.test(String(c.image)))!;
    const ef = parseFlags(e.args ?? []).flags;
    const peerPort = service?.obj.spec?.ports?.find((p: Obj) => p.name === 'peer')?.port;
    const members = Array.from(
      { length: n },
      (_, i) => `${set}-${i}=https://${set}-${i}.${svc}.${space}.svc:${peerPort}`,
    ).join(',');
    if (ef.get('initial-cluster') !== members) out.push(`${label(etcd)}: --initial-cluster must be ${members}`);
    if (fieldOf(e, str(ef.get('name'))) !== 'metadata.name')
      out.push(`${label(etcd)}: --name must be the pod's name (metadata.name)`);
    if (!/:2379$/.test(String(ef.get('listen-client-urls'))) || clientPort !== 2379)
      out.push(`${label(etcd)}: the client port must be 2379 in --listen-client-urls and the Service`);
    // Issue 15: only the managers read or write the log. TLS for clients and peers with certificates
    // required (etcd takes the user from the CN), on the pod's IP, never 0.0.0.0 in clear; the
    // managers present their certificate.
    for (const f of ['listen-client-urls', 'listen-peer-urls']) {
      const url = /^https:\/\/(\$\([A-Za-z_]+\)):\d+$/.exec(String(ef.get(f)));
      if (!url || fieldOf(e, url[1]) !== 'status.podIP')
        out.push(`${label(etcd)}: --${f} must be https on the pod's IP ($(POD_IP) from status.podIP)`);
    }
    for (const f of [
      'cert-file',
      'key-file',
      'trusted-ca-file',
      'client-cert-auth',
      'peer-cert-file',
      'peer-key-file',
      'peer-trusted-ca-file',
      'peer-client-cert-auth',
      'peer-cert-allowed-cn',
    ]) {
      if (!ef.has(f)) out.push(`${label(etcd)}: no --${f} (etcd must require client and peer certificates)`);
    }
    for (const f of ['etcd-ca', 'etcd-cert', 'etcd-key'])
      if (!mf.has(f)) out.push(`${where}: no --${f} (the managers' etcd client certificate)`);
    if (
      !(etcd.obj.spec?.volumeClaimTemplates ?? []).some((t: Obj) =>
        (e.volumeMounts ?? []).some((vm: Obj) => vm.name === t.metadata?.name && vm.mountPath === ef.get('data-dir')),
      )
    ) {
      out.push(`${label(etcd)}: --data-dir must be a volume from volumeClaimTemplates`);
    }
  }
  // The admin Service reaches the port the manager listens on.
  const listen = str(mf.get('listen'));
  const port = listen ? Number(listen.slice(listen.lastIndexOf(':') + 1)) : NaN;
  if (fieldOf(m, listen) !== 'status.podIP')
    out.push(
      `${where}: --listen must be the pod's IP ($(POD_IP) from status.podIP): the manager announces it to node agents`,
    );
  if (!(m.ports ?? []).some((p: Obj) => p.containerPort === port))
    out.push(`${where}: the manager listens on ${port} but declares no such container port`);
  return out;
}

/** The node pod: the plugin socket kubelet is told about is the one `cairn node` serves; privileges. */
export function checkNodePod(docs: Doc[], x: Expectations): string[] {
  const out: string[] = [];
  const ds = docs.find((d) => d.obj.kind === 'DaemonSet' && cairnContainer(podSpec(d), 'node'));
  if (!ds) return ['no DaemonSet runs cairn node'];
  const spec = podSpec(ds);
  const where = label(ds);
  const n = cairnContainer(spec, 'node')!;
  const nf = parseFlags(n.args.slice(1)).flags;
  const reg = containers(spec).find((c) => sidecarKind(c.image) === 'csi-node-driver-registrar');
  const sock = str(nf.get('csi-socket'));
  const pluginDir = `/var/lib/kubelet/plugins/${x.driverName}`;
  if (!sock) out.push(`${where}: cairn node has no --csi-socket`);
  const sockPlace = sock ? resolvePath(spec, n, sock) : undefined;
  if (sockPlace && (sockPlace.kind !== 'hostPath' || posix.dirname(sockPlace.path) !== pluginDir)) {
    out.push(`${where}: cairn node serves ${sock}, which is ${placeText(sockPlace)}, not in ${pluginDir} on the host`);
  }
  if (!reg) out.push(`${where}: no node-driver-registrar`);
  else if (sockPlace) {
    const rf = parseFlags(reg.args ?? []).flags;
    const addr = str(rf.get('csi-address'))?.replace(/^unix:\/\//, '');
    const regPlace = addr ? resolvePath(spec, reg, addr) : undefined;
    if (!regPlace || !samePlace(regPlace, sockPlace))
      out.push(
        `${where} ${reg.name}: --csi-address ${addr} is ${regPlace ? placeText(regPlace) : 'missing'}, but cairn node serves ${placeText(sockPlace)}`,
      );
    const kr = str(rf.get('kubelet-registration-path'));
    if (sockPlace.kind !== 'hostPath' || kr !== sockPlace.path)
      out.push(
        `${where} ${reg.name}: --kubelet-registration-path ${kr} is not the socket's host path ${placeText(sockPlace)}`,
      );
    const regDir = resolvePath(spec, reg, '/registration');
    if (regDir.kind !== 'hostPath' || regDir.path !== '/var/lib/kubelet/plugins_registry')
      out.push(`${where} ${reg.name}: /registration must be the host's /var/lib/kubelet/plugins_registry`);
  }
  const kubelet = (n.volumeMounts ?? []).find((vm: Obj) => {
    const p = resolvePath(spec, n, vm.mountPath);
    return p.kind === 'hostPath' && p.path === '/var/lib/kubelet';
  });
  if (!kubelet || kubelet.mountPropagation !== 'Bidirectional')
    out.push(`${where}: cairn node must mount the host's /var/lib/kubelet with mountPropagation Bidirectional`);
  const dev = resolvePath(spec, n, '/dev');
  if (dev.kind !== 'hostPath' || dev.path !== '/dev') out.push(`${where}: cairn node must mount the host's /dev`);
  if (n.securityContext?.privileged !== true)
    out.push(`${where}: cairn node must be privileged (mounts, loop and NBD devices)`);
  if (spec.hostNetwork !== true)
    out.push(`${where}: hostNetwork must be true (replica and NBD traffic on the node's address)`);
  if (spec.hostNetwork && spec.dnsPolicy !== 'ClusterFirstWithHostNet')
    out.push(`${where}: with hostNetwork, dnsPolicy must be ClusterFirstWithHostNet to resolve the manager Service`);
  if (fieldOf(n, str(nf.get('node-id'))) !== 'spec.nodeName')
    out.push(`${where}: --node-id must come from spec.nodeName (the CSI node id is the Kubernetes node)`);
  if (nf.has('zone-from-node') && fieldOf(n, str(nf.get('zone-from-node'))) !== 'spec.nodeName')
    out.push(`${where}: --zone-from-node must name this node (spec.nodeName)`);
  if (!['status.podIP', 'status.hostIP'].includes(fieldOf(n, str(nf.get('data-host'))) ?? ''))
    out.push(`${where}: --data-host must come from status.podIP or status.hostIP`);
  for (const flag of ['disk', 'csi-state-dir']) {
    const v = str(nf.get(flag))?.split(':')[0];
    if (v && resolvePath(spec, n, v).kind !== 'hostPath')
      out.push(`${where}: --${flag} ${v} is not on a hostPath volume: it would not outlive the pod`);
  }
  // --manager is the manager Service, at a port it serves; the Service selects the cairn manager pods.
  for (const addr of str(nf.get('manager'))?.split(',') ?? []) {
    const mm = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)$/.exec(addr);
    const svc = mm ? find(docs, 'Service', mm[1]!, mm[2]) : undefined;
    if (!mm || !svc) {
      out.push(`${where}: --manager ${addr} is not a Service of the manifests (NAME.NAMESPACE.svc:PORT)`);
      continue;
    }
    if (!(svc.obj.spec?.ports ?? []).some((p: Obj) => p.port === Number(mm[3])))
      out.push(`${where}: --manager ${addr}: Service ${mm[1]} has no port ${mm[3]}`);
    const mgr = docs.find((d) => WORKLOADS.has(d.obj.kind) && cairnContainer(podSpec(d), 'manager'));
    if (!mgr || !matches(svc.obj.spec?.selector, podLabels(mgr)))
      out.push(`${where}: --manager ${addr}: Service ${mm[1]} does not select the cairn manager pods`);
  }
  return out;
}

/** Which verbs on which resources a service account gets through the manifests' bindings. */
function grants(docs: Doc[], sa: string, space: string): { rule: Obj; namespaced: boolean }[] {
  const out: { rule: Obj; namespaced: boolean }[] = [];
  for (const b of [...ofKind(docs, 'ClusterRoleBinding'), ...ofKind(docs, 'RoleBinding')]) {
    if (
      !(b.obj.subjects ?? []).some(
        (s: Obj) => s.kind === 'ServiceAccount' && s.name === sa && (s.namespace ?? ns(b.obj)) === space,
      )
    )
      continue;
    const ref = b.obj.roleRef ?? {};
    const role = ref.kind === 'Role' ? find(docs, 'Role', ref.name, ns(b.obj)) : find(docs, 'ClusterRole', ref.name);
    for (const rule of role?.obj.rules ?? []) out.push({ rule, namespaced: b.obj.kind === 'RoleBinding' });
  }
  return out;
}

function allowed(g: { rule: Obj }[], group: string, resource: string, verb: string): boolean {
  return g.some(
    ({ rule }) =>
      (rule.apiGroups ?? []).includes(group) &&
      (rule.resources ?? []).includes(resource) &&
      (rule.verbs ?? []).includes(verb),
  );
}

/** What each sidecar does needs RBAC (its project's documented rules) bound to the pod's account. */
const NEEDS: Record<string, [group: string, resource: string, verbs: string[]][]> = {
  'csi-provisioner': [
    ['', 'persistentvolumes', ['get', 'list', 'watch', 'create', 'delete']],
    ['', 'persistentvolumeclaims', ['get', 'list', 'watch', 'update']],
    ['storage.k8s.io', 'storageclasses', ['get', 'list', 'watch']],
    ['', 'events', ['create', 'patch']],
    ['storage.k8s.io', 'csinodes', ['get', 'list', 'watch']],
    ['', 'nodes', ['get', 'list', 'watch']],
    ['snapshot.storage.k8s.io', 'volumesnapshots', ['get', 'list']],
    ['snapshot.storage.k8s.io', 'volumesnapshotcontents', ['get', 'list']],
    ['storage.k8s.io', 'volumeattachments', ['get', 'list', 'watch']],
  ],
  'csi-attacher': [
    ['', 'persistentvolumes', ['get', 'list', 'watch', 'patch']],
    ['storage.k8s.io', 'csinodes', ['get', 'list', 'watch']],
    ['storage.k8s.io', 'volumeattachments', ['get', 'list', 'watch', 'patch']],
    ['storage.k8s.io', 'volumeattachments/status', ['patch']],
  ],
  'csi-snapshotter': [
    ['snapshot.storage.k8s.io', 'volumesnapshotclasses', ['get', 'list', 'watch']],
    ['snapshot.storage.k8s.io', 'volumesnapshotcontents', ['get', 'list', 'watch', 'update', 'patch']],
    ['snapshot.storage.k8s.io', 'volumesnapshotcontents/status', ['update', 'patch']],
    ['', 'events', ['create', 'patch']],
  ],
  'csi-resizer': [
    ['', 'persistentvolumes', ['get', 'list', 'watch', 'patch']],
    ['', 'persistentvolumeclaims', ['get', 'list', 'watch']],
    ['', 'persistentvolumeclaims/status', ['patch']],
    ['', 'events', ['create', 'patch']],
  ],
};

export function checkRbac(docs: Doc[]): string[] {
  const out: string[] = [];
  for (const d of docs.filter((y) => WORKLOADS.has(y.obj.kind))) {
    const spec = podSpec(d);
    const sa = spec.serviceAccountName ?? 'default';
    const g = grants(docs, sa, ns(d.obj)!);
    for (const c of containers(spec)) {
      const kind = sidecarKind(c.image);
      const f = parseFlags(c.args ?? []).flags;
      for (const [group, resource, verbs] of NEEDS[kind ?? ''] ?? []) {
        for (const v of verbs)
          if (!allowed(g, group, resource, v))
            out.push(`${label(d)} ${c.name}: ServiceAccount ${sa} may not ${v} ${group ? `${group}/` : ''}${resource}`);
      }
      if (f.has('leader-election') && f.get('leader-election') !== 'false') {
        for (const v of ['get', 'create', 'update'])
          if (!allowed(g, 'coordination.k8s.io', 'leases', v))
            out.push(`${label(d)} ${c.name}: leader election needs ${v} on leases, which ServiceAccount ${sa} lacks`);
      }
      // The resizer lists pods in every namespace: a namespaced Role (the manager's on its own pods) does not do.
      if (
        kind === 'csi-resizer' &&
        f.get('handle-volume-inuse-error') !== 'false' &&
        !allowed(
          g.filter((x) => !x.namespaced),
          '',
          'pods',
          'list',
        )
      )
        out.push(`${label(d)} ${c.name}: --handle-volume-inuse-error needs list on pods`);
      if (
        c.args?.[0] === 'node' &&
        isCairnImage(c.image) &&
        f.has('zone-from-node') &&
        !allowed(g, '', 'nodes', 'get')
      ) {
        out.push(`${label(d)} ${c.name}: --zone-from-node reads the Node, but ServiceAccount ${sa} may not get nodes`);
      }
      // Node credentials are reviewed by the API server; on those older than 1.30 the token's pod is read for its node.
      if (c.args?.[0] === 'manager' && isCairnImage(c.image) && f.has('node-token-audience')) {
        if (
          !allowed(
            g.filter((x) => !x.namespaced),
            'authentication.k8s.io',
            'tokenreviews',
            'create',
          )
        )
          out.push(
            `${label(d)} ${c.name}: --node-token-audience reviews node tokens, but ServiceAccount ${sa} may not create authentication.k8s.io/tokenreviews`,
          );
        if (!allowed(g, '', 'pods', 'get'))
          out.push(
            `${label(d)} ${c.name}: --node-token-audience reads the pod a node token is bound to, but ServiceAccount ${sa} may not get pods`,
          );
      }
    }
  }
  return out;
}

/** Sidecars get only flags they have. */
export function checkSidecarFlags(docs: Doc[]): string[] {
  const out: string[] = [];
  for (const d of docs.filter((y) => WORKLOADS.has(y.obj.kind))) {
    for (const c of containers(podSpec(d))) {
      const kind = sidecarKind(c.image);
      if (!kind || !SIDECAR_FLAGS[kind]) continue;
      const ok = new Set([...COMMON_SIDECAR_FLAGS, ...SIDECAR_FLAGS[kind]!]);
      for (const f of parseFlags(c.args ?? []).flags.keys())
        if (!ok.has(f)) out.push(`${label(d)} ${c.name}: ${kind} has no flag --${f}`);
    }
  }
  return out;
}

/** One cairn image everywhere, tagged with the version; every other image pinned; the Dockerfile runs cairn. */
export function checkImages(docs: Doc[], m: Manifests, x: Expectations): string[] {
  const out: string[] = [];
  const cairnImages = new Set<string>();
  for (const d of docs.filter((y) => WORKLOADS.has(y.obj.kind))) {
    for (const c of containers(podSpec(d))) {
      const image = String(c.image ?? '');
      const where = `${label(d)} container ${c.name}`;
      if (!image) {
        out.push(`${where} has no image`);
        continue;
      }
      if (isCairnImage(image)) {
        cairnImages.add(image);
        continue;
      }
      const tag = /:([^/:@]+)$/.exec(image)?.[1];
      if (!tag || tag === 'latest' || tag === 'canary' || !/^v?\d+\.\d+\.\d+/.test(tag))
        out.push(`${where}: image ${image} is not pinned to a release`);
      if (sidecarKind(image) && !image.startsWith('registry.k8s.io/sig-storage/'))
        out.push(`${where}: sidecar images come from registry.k8s.io/sig-storage`);
    }
  }
  if (cairnImages.size !== 1)
    out.push(`the cairn containers must share one image, found: ${[...cairnImages].join(', ') || 'none'}`);
  const [image] = [...cairnImages];
  if (image && !image.endsWith(`:${x.version}`))
    out.push(`the cairn image ${image} is not tagged with the version ${x.version}`);
  const k = (m.kustomization.images ?? []).find((i: Obj) => i.name === image?.replace(/:[^/:]+$/, ''));
  if (!k) out.push(`kustomization.yaml has no images entry for ${image} (for kustomize edit set image)`);
  else if (k.newTag !== undefined && String(k.newTag) !== x.version)
    out.push(`kustomization.yaml tags the cairn image ${k.newTag}, not ${x.version}`);
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(m.dockerfile)?.[1];
  let argv: string[] = [];
  try {
    argv = entry ? JSON.parse(entry) : [];
  } catch {
    /* reported below */
  }
  if (argv[argv.length - 1] !== 'cairn')
    out.push(
      `the Dockerfile's ENTRYPOINT (${entry ?? 'none'}) must end in cairn: the containers' args start with the subcommand`,
    );
  if (!/^FROM node:20-bookworm-slim\b/m.test(m.dockerfile))
    out.push('the Dockerfile must build FROM node:20-bookworm-slim');
  return out;
}

/** Every check over loaded manifests. */
export function checkAll(m: Manifests, x: Expectations): string[] {
  const { docs, problems } = parseManifests(m);
  return [
    ...problems,
    ...checkKustomization(m),
    ...checkNamespaces(docs),
    ...checkPodReferences(docs, m.readme),
    ...checkObjectReferences(docs),
    ...checkStorage(docs, x),
    ...checkCairnFlags(docs, x),
    ...checkSidecarFlags(docs),
    ...checkManagerPod(docs),
    ...checkNodePod(docs, x),
    ...checkRbac(docs),
    ...checkImages(docs, m, x),
  ];
}

// ---------------------------------------------------------------------------------------------
// Metrics (docs/metrics.md): deploy/monitoring/ holds the ServiceMonitors and the Grafana dashboard

/** The YAML documents of deploy/monitoring/ (kustomization.yaml aside), parsed. */
export function loadMonitoring(root: string): Doc[] {
  const dir = join(root, 'deploy', 'monitoring');
  return readdirSync(dir)
    .sort()
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8'), { version: '1.1' })
        .map((d) => ({ file: `monitoring/${file}`, obj: d.toJS() as Obj }))
        .filter((d) => d.obj),
    );
}

/**
 * Each cairn process's --metrics-listen (or its default) is a port its container declares as
 * "metrics"; a node agent on the host network listens on the node's address, not every interface;
 * a Service selects the pods with a port "metrics" that reaches it; a ServiceMonitor selects that
 * Service (its labels, its namespace) and scrapes that port at /metrics.
 */
export function checkMonitoring(docs: Doc[], monitoring: Doc[], defaults: { manager: string; node: string }): string[] {
  const out: string[] = [];
  const monitors = monitoring.filter((d) => d.obj.kind === 'ServiceMonitor');
  if (monitors.length === 0) out.push('deploy/monitoring/ has no ServiceMonitor');
  for (const sub of ['manager', 'node'] as const) {
    const d = docs.find((y) => WORKLOADS.has(y.obj.kind) && cairnContainer(podSpec(y), sub));
    if (!d) continue; // checkCairnFlags says so
    const spec = podSpec(d);
    const c = cairnContainer(spec, sub)!;
    const where = `${label(d)} (cairn ${sub})`;
    const listen = str(parseFlags(c.args.slice(1)).flags.get('metrics-listen')) ?? defaults[sub];
    if (listen === 'off') {
      out.push(`${where}: --metrics-listen is off, but deploy/monitoring/ scrapes it`);
      continue;
    }
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
    const host = listen.slice(0, listen.lastIndexOf(':'));
    const declared = (c.ports ?? []).find((p: Obj) => p.name === 'metrics');
    if (!declared) out.push(`${where}: serves /metrics on ${port} but declares no container port named metrics`);
    else if (declared.containerPort !== port)
      out.push(`${where}: --metrics-listen port ${port} is not its container port metrics (${declared.containerPort})`);
    if (/^(127\.|localhost$|\[?::1\]?$)/.test(host))
      out.push(
        `${where}: --metrics-listen ${listen} is loopback only: Prometheus cannot reach it (the default; say :PORT or the pod's address)`,
      );
    else if (spec.hostNetwork && !['status.hostIP', 'status.podIP'].includes(fieldOf(c, host) ?? '')) {
      out.push(
        `${where}: on the host network --metrics-listen must be the node's address ($(HOST_IP) from status.hostIP), not ${host || 'every interface'}`,
      );
    }
    const services = ofKind(docs, 'Service').filter(
      (s) =>
        ns(s.obj) === ns(d.obj) &&
        matches(s.obj.spec?.selector, podLabels(d)) &&
        (s.obj.spec?.ports ?? []).some(
          (p: Obj) => p.name === 'metrics' && (p.targetPort === 'metrics' || p.targetPort === port),
        ),
    );
    if (services.length === 0) {
      out.push(`${where}: no Service selects its pods with a port metrics reaching ${port}`);
      continue;
    }
    const scraped = monitors.some((m) =>
      services.some((s) => {
        const spaces: string[] | undefined = m.obj.spec?.namespaceSelector?.matchNames;
        const inSpace =
          m.obj.spec?.namespaceSelector?.any === true ||
          (spaces ? spaces.includes(ns(s.obj)!) : ns(m.obj) === ns(s.obj));
        const labels = s.obj.metadata?.labels ?? {};
        const selected =
          Object.entries(m.obj.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
          Object.keys(m.obj.spec?.selector?.matchLabels ?? {}).length > 0;
        return (
          inSpace &&
          selected &&
          (m.obj.spec?.endpoints ?? []).some((e: Obj) => e.port === 'metrics' && (e.path ?? '/metrics') === '/metrics')
        );
      }),
    );
    if (!scraped)
      out.push(
        `${where}: no ServiceMonitor in deploy/monitoring/ selects Service ` +
          `${services.map((s) => name(s.obj)).join(', ')} and scrapes its port metrics at /metrics`,
      );
  }
  return out;
}

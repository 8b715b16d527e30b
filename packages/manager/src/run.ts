// `cairn manager` (run a manager) and `cairn manager node-credential NODE` (print a node's token):
// their command lines, declared once (MANAGER_COMMAND, NODE_CREDENTIAL_COMMAND: the parser, --help
// and the deploy tests read them), and the start-up that turns the flags into ManagerOptions.
import { readFileSync } from 'node:fs';
import {
  commandHelp,
  createLogger,
  DEFAULT_MANAGER_METRICS,
  flagTexts,
  LOG_FLAGS,
  nodeToken,
  parseCommandLine,
  parseLogFormat,
  parseLogLevel,
  parseMetricsListen,
  UsageError,
} from '@cairn/api';
import type { CommandSpec } from '@cairn/api';
import { readEtcdCredentials } from '@cairn/metadata';
import { checkNodeId } from './commands.js';
import { DEFAULT_SNAPSHOT_EVERY, Manager } from './manager.js';
import type { ManagerOptions, NodeTokenVerifier } from './manager.js';

const HELP = { type: 'boolean', short: 'h', help: 'print this help' } as const;

/** `cairn manager`: every flag it accepts. */
export const MANAGER_COMMAND = {
  path: 'manager',
  args: [],
  summary: 'Run a manager: the admin and node APIs, and the scheduler while it leads.',
  notes:
    'The token may also come from CAIRN_TOKEN. "cairn manager node-credential NODE --node-key-file FILE" prints a node\'s token.',
  flags: {
    etcd: { type: 'string', value: 'URL[,URL...]', required: true, help: "etcd's client endpoints" },
    listen: { type: 'string', value: 'HOST:PORT', default: '127.0.0.1:7800', help: 'the admin and node APIs' },
    token: { type: 'string', value: 'TOKEN', help: 'the admin token (or --token-file, or CAIRN_TOKEN)' },
    'token-file': { type: 'string', value: 'FILE', help: 'read the admin token from FILE' },
    'tls-cert': { type: 'string', value: 'FILE', help: 'serve TLS with this certificate (with --tls-key)' },
    'tls-key': { type: 'string', value: 'FILE', help: 'the key of --tls-cert' },
    'tls-ca': {
      type: 'string',
      value: 'FILE',
      help: 'the CA that signed them: nodes that present its certificates are checked against it',
    },
    'tls-server-name': {
      type: 'string',
      value: 'NAME',
      help: "the name the managers' certificates carry, whatever address is dialled",
    },
    id: { type: 'string', value: 'ID', help: "this manager's name in the election and the logs" },
    'election-ttl': { type: 'string', value: 'S', default: '3', help: 'the leader lease, in seconds' },
    'node-lease-ttl': {
      type: 'string',
      value: 'S',
      default: '5',
      help: 'a node is down when its lease is this old, in seconds',
    },
    'heartbeat-ms': { type: 'string', value: 'MS', default: '1000', help: 'how often nodes report' },
    'snapshot-every': {
      type: 'string',
      value: 'N',
      default: String(DEFAULT_SNAPSHOT_EVERY),
      help: 'write a state snapshot every N events',
    },
    prefix: { type: 'string', value: 'PREFIX', help: 'the etcd key prefix (default /cairn/v1/)' },
    'ready-file': { type: 'string', value: 'FILE', help: 'write {address, id, pid, ...} as JSON to FILE once serving' },
    'etcd-ca': { type: 'string', value: 'FILE', help: 'https to etcd, verified against this CA' },
    'etcd-cert': {
      type: 'string',
      value: 'FILE',
      help: "a client certificate for etcd (whose CN etcd's --client-cert-auth takes as the user)",
    },
    'etcd-key': { type: 'string', value: 'FILE', help: 'the key of --etcd-cert' },
    'etcd-user': { type: 'string', value: 'USER', help: 'an etcd user (with --etcd-password-file)' },
    'etcd-password-file': { type: 'string', value: 'FILE', help: 'the password of --etcd-user' },
    'csi-socket': { type: 'string', value: 'PATH', help: 'serve the CSI Identity and Controller services there' },
    'ui-listen': {
      type: 'string',
      value: 'HOST:PORT',
      help: 'serve the web UI there, HTTPS with --tls-cert (documented port 8000)',
    },
    'metrics-listen': {
      type: 'string',
      value: 'HOST:PORT|:PORT|off',
      default: DEFAULT_MANAGER_METRICS,
      help: 'Prometheus /metrics, plain HTTP',
    },
    kubeconfig: {
      type: 'string',
      value: 'FILE',
      help: 'in Kubernetes (on in a pod or with this): cordon, tag labels, PVC Events, drain guards',
    },
    'kube-namespace': {
      type: 'string',
      value: 'NS',
      help: "cairn's namespace (default POD_NAMESPACE, else cairn-system)",
    },
    'drain-guard-image': {
      type: 'string',
      value: 'IMAGE',
      help: "the drain guards' image (default registry.k8s.io/pause:3.10)",
    },
    'node-key-file': {
      type: 'string',
      value: 'FILE',
      help: 'each node then needs its own token; the admin token is refused on node calls',
    },
    'node-token-audience': {
      type: 'string',
      value: 'AUD',
      help: "in Kubernetes: a node's credential may be its pod's projected service-account token for AUD, checked by TokenReview",
    },
    'node-service-account': {
      type: 'string',
      value: 'NS:NAME',
      help: 'the service account of those pods (default NS_OF_--kube-namespace:cairn-node)',
    },
    'backup-credential-dir': {
      type: 'string',
      value: 'DIR',
      help: "the backup target's credentials as a mounted Secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS), used when none are stored",
    },
    ...LOG_FLAGS,
    help: HELP,
  },
} satisfies CommandSpec;

/** `cairn manager node-credential NODE --node-key-file FILE`. */
export const NODE_CREDENTIAL_COMMAND = {
  path: 'manager node-credential',
  args: ['NODE'],
  summary: "Print NODE's token, for its --node-token-file (made offline from the node key).",
  flags: {
    'node-key-file': { type: 'string', value: 'FILE', required: true, help: "the managers' node key" },
    help: HELP,
  },
} satisfies CommandSpec;

/** Reads a credential file: its content without surrounding whitespace, refused when empty. */
function readCredential(flag: string, path: string): string {
  const v = readFileSync(path, 'utf8').trim();
  if (!v) throw new Error(`--${flag} ${path} is empty`);
  return v;
}

/**
 * `cairn manager node-credential NODE --node-key-file F`: the node's token, made from the node key
 * where the key is (a manager's host or secret). Offline on purpose: minting node credentials is
 * no API call, so nothing reachable over the network hands out a node's identity.
 */
function printNodeCredential(args: string[]): number {
  const p = parseCommandLine(NODE_CREDENTIAL_COMMAND, args);
  if (p.flags['help']) return (void process.stdout.write(commandHelp(NODE_CREDENTIAL_COMMAND)), 0);
  const keyFile = flagTexts(NODE_CREDENTIAL_COMMAND, p)['node-key-file'];
  if (!keyFile) throw new UsageError('--node-key-file is required', NODE_CREDENTIAL_COMMAND.path);
  const node = p.args['NODE']!;
  checkNodeId('NODE', node);
  process.stdout.write(`${nodeToken(readCredential('node-key-file', keyFile), node)}\n`);
  return 0;
}

export async function runManager(args: string[]): Promise<number> {
  if (args[0] === 'node-credential') return printNodeCredential(args.slice(1));
  const p = parseCommandLine(MANAGER_COMMAND, args);
  if (p.flags['help']) return (void process.stdout.write(commandHelp(MANAGER_COMMAND)), 0);
  const values = flagTexts(MANAGER_COMMAND, p);
  const logger = createLogger({
    level: parseLogLevel(values['log-level']),
    format: parseLogFormat(values['log-format']),
    ...(values.id ? { name: values.id } : {}),
  });
  if (!values.etcd) throw new UsageError('--etcd is required', 'manager');
  const metricsListen = parseMetricsListen(values['metrics-listen']!);
  const token =
    values.token ??
    (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env.CAIRN_TOKEN);
  if (!token) throw new UsageError('a token is required: --token, --token-file or CAIRN_TOKEN', 'manager');
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key']))
    throw new UsageError('--tls-cert and --tls-key go together', 'manager');
  if (values['tls-ca'] && !values['tls-cert'])
    throw new UsageError('--tls-ca goes with --tls-cert and --tls-key (it is the CA that signed them)', 'manager');
  const int = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${v}"`, 'manager');
    return n;
  };
  const etcdCredentials = readEtcdCredentials({
    ca: values['etcd-ca'],
    cert: values['etcd-cert'],
    key: values['etcd-key'],
    user: values['etcd-user'],
    passwordFile: values['etcd-password-file'],
  });
  if (values['node-service-account'] !== undefined && !values['node-token-audience'])
    throw new UsageError('--node-service-account goes with --node-token-audience', 'manager');
  const kube = await kubeOptions(values.kubeconfig, values['kube-namespace'], values['drain-guard-image']);
  const nodeTokens =
    values['node-token-audience'] !== undefined
      ? await nodeTokenVerifier(kube, values['node-token-audience'], values['node-service-account'])
      : undefined;
  const m = await Manager.start({
    etcd: values.etcd.split(','),
    etcdCredentials,
    listen: values.listen!,
    token,
    ...(values['node-key-file'] ? { nodeKey: readCredential('node-key-file', values['node-key-file']) } : {}),
    ...(nodeTokens ? { nodeTokens } : {}),
    tls: values['tls-cert']
      ? {
          cert: readFileSync(values['tls-cert']),
          key: readFileSync(values['tls-key']!),
          ...(values['tls-ca'] ? { ca: readFileSync(values['tls-ca']) } : {}),
          serverName: values['tls-server-name'],
        }
      : undefined,
    id: values.id,
    prefix: values.prefix,
    electionTtl: int('election-ttl', values['election-ttl']),
    nodeLeaseTtl: int('node-lease-ttl', values['node-lease-ttl']),
    heartbeatMs: int('heartbeat-ms', values['heartbeat-ms']),
    snapshotEvery: int('snapshot-every', values['snapshot-every']),
    csiSocket: values['csi-socket'],
    kube,
    logger,
    ...(values['ui-listen'] ? { uiListen: values['ui-listen'] } : {}),
    ...(values['backup-credential-dir'] ? { backupCredentialDir: values['backup-credential-dir'] } : {}),
    ...(metricsListen ? { metricsListen } : {}),
  });
  if (values['ready-file']) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      values['ready-file'],
      JSON.stringify({
        address: m.address,
        id: m.id,
        pid: process.pid,
        csiEndpoint: m.csiEndpoint,
        ui: m.uiUrl,
        metrics: m.metricsAddress,
      }),
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await m.stop();
  return 0;
}

/**
 * The Kubernetes client when the manager runs in a pod or was given --kubeconfig (loadKubeConfig
 * decides), else undefined. @cairn/kube (and client-node) is loaded only when it may be needed.
 */
async function kubeOptions(
  kubeconfig: string | undefined,
  namespace: string | undefined,
  guardImage: string | undefined,
): Promise<ManagerOptions['kube']> {
  if (kubeconfig === undefined && !process.env.KUBERNETES_SERVICE_HOST) return undefined;
  const { KubeClient, loadKubeConfig } = await import('@cairn/kube');
  const kc = loadKubeConfig({ kubeconfig });
  return kc
    ? { client: new KubeClient(kc), namespace: namespace ?? process.env.POD_NAMESPACE ?? 'cairn-system', guardImage }
    : undefined;
}

/**
 * --node-token-audience: node credentials checked by the Kubernetes API server (a TokenReview of
 * the agent pod's projected token). Needs the Kubernetes client (in a pod, or --kubeconfig).
 */
async function nodeTokenVerifier(
  kube: ManagerOptions['kube'],
  audience: string,
  account: string | undefined,
): Promise<NodeTokenVerifier> {
  if (!audience) throw new Error('--node-token-audience is empty');
  if (!kube) throw new Error('--node-token-audience needs Kubernetes: run the manager in a pod or give --kubeconfig');
  const [namespace, name, ...rest] = (account ?? `${kube.namespace}:cairn-node`).split(':');
  if (!namespace || !name || rest.length)
    throw new Error(`--node-service-account must be NAMESPACE:NAME, got "${account}"`);
  const { NodeAuthenticator } = await import('@cairn/kube');
  return new NodeAuthenticator(kube.client, { audience, account: { namespace, name } });
}

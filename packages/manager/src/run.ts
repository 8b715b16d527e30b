// `cairn manager --etcd ENDPOINTS [--listen HOST:PORT] [--token T | --token-file F] [--node-key-file F] [--node-token-audience AUD]
//   [--tls-cert F --tls-key F [--tls-ca F]]
//   [--etcd-ca F --etcd-cert F --etcd-key F | --etcd-user U --etcd-password-file F]`
// and `cairn manager node-credential NODE --node-key-file F` (prints that node's token).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger, DEFAULT_MANAGER_METRICS, LOG_FLAGS_USAGE, nodeToken, parseLogFormat, parseLogLevel, parseMetricsListen } from '@cairn/api';
import { readEtcdCredentials } from '@cairn/metadata';
import { checkNodeId } from './commands.js';
import { DEFAULT_SNAPSHOT_EVERY, Manager } from './manager.js';
import type { ManagerOptions, NodeTokenVerifier } from './manager.js';

export const MANAGER_USAGE = `usage: cairn manager --etcd URL[,URL...] [--listen HOST:PORT] [--token TOKEN | --token-file FILE]
                     [--tls-cert FILE --tls-key FILE [--tls-ca FILE] [--tls-server-name NAME]] [--id ID] [--election-ttl S] [--node-lease-ttl S]
                     [--etcd-ca FILE [--etcd-cert FILE --etcd-key FILE] [--etcd-user USER --etcd-password-file FILE]]
                       (https to etcd verified against the CA; a client certificate, whose CN etcd's
                       --client-cert-auth takes as the etcd user; or a user and password)
                     [--csi-socket PATH]   (serve the CSI Identity + Controller services there)
                     [--ui-listen HOST:PORT]   (serve the web UI there, HTTPS with --tls-cert; documented port 8000)
                     [--metrics-listen HOST:PORT | :PORT | off]   (Prometheus /metrics, plain HTTP; default ${DEFAULT_MANAGER_METRICS})
                     [--kubeconfig FILE] [--kube-namespace NS] [--drain-guard-image IMAGE]   (in Kubernetes: cordon,
                       tag labels, PVC Events, drain guards; on in a pod or with --kubeconfig; NS defaults to
                       POD_NAMESPACE, else cairn-system; IMAGE to registry.k8s.io/pause:3.10)
                     [--node-key-file FILE]   (each node then needs its own token; the admin token is refused on node calls)
                     [--node-token-audience AUD [--node-service-account NS:NAME]]   (in Kubernetes: a node's credential
                       may be its pod's projected service-account token for AUD, checked by TokenReview; the node is
                       the pod's; NAME defaults to NS_OF_--kube-namespace:cairn-node; the admin token is refused on node calls)
                     [--backup-credential-dir DIR]   (the backup target's credentials as a mounted Secret: files
                       AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINTS; used when none are stored)
                     ${LOG_FLAGS_USAGE}   (default info; json lines, or pretty ones on a terminal)
the token may also come from CAIRN_TOKEN
       cairn manager node-credential NODE --node-key-file FILE   (prints NODE's token, for its --node-token-file)`;

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
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'node-key-file': { type: 'string' } } });
  if (positionals.length !== 1 || !values['node-key-file']) throw new Error(`give one NODE and --node-key-file\n${MANAGER_USAGE}`);
  checkNodeId('NODE', positionals[0]!);
  process.stdout.write(`${nodeToken(readCredential('node-key-file', values['node-key-file']), positionals[0]!)}\n`);
  return 0;
}

export async function runManager(args: string[]): Promise<number> {
  if (args[0] === 'node-credential') return printNodeCredential(args.slice(1));
  const { values } = parseArgs({
    args,
    options: {
      etcd: { type: 'string' }, listen: { type: 'string', default: '127.0.0.1:7800' },
      token: { type: 'string' }, 'token-file': { type: 'string' }, 'node-key-file': { type: 'string' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-ca': { type: 'string' }, 'tls-server-name': { type: 'string' }, id: { type: 'string' },
      'election-ttl': { type: 'string', default: '3' }, 'node-lease-ttl': { type: 'string', default: '5' },
      'heartbeat-ms': { type: 'string', default: '1000' }, 'snapshot-every': { type: 'string', default: String(DEFAULT_SNAPSHOT_EVERY) },
      prefix: { type: 'string' }, 'ready-file': { type: 'string' }, 'csi-socket': { type: 'string' }, 'ui-listen': { type: 'string' },
      kubeconfig: { type: 'string' }, 'kube-namespace': { type: 'string' }, 'drain-guard-image': { type: 'string' },
      'etcd-ca': { type: 'string' }, 'etcd-cert': { type: 'string' }, 'etcd-key': { type: 'string' },
      'etcd-user': { type: 'string' }, 'etcd-password-file': { type: 'string' }, 'backup-credential-dir': { type: 'string' },
      'node-token-audience': { type: 'string' }, 'node-service-account': { type: 'string' },
      'log-level': { type: 'string' }, 'log-format': { type: 'string' },
      'metrics-listen': { type: 'string', default: DEFAULT_MANAGER_METRICS },
    },
  });
  const logger = createLogger({ level: parseLogLevel(values['log-level']), format: parseLogFormat(values['log-format']), ...(values.id ? { name: values.id } : {}) });
  if (!values.etcd) throw new Error(`--etcd is required\n${MANAGER_USAGE}`);
  const metricsListen = parseMetricsListen(values['metrics-listen']!);
  const token = values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env.CAIRN_TOKEN);
  if (!token) throw new Error(`a token is required: --token, --token-file or CAIRN_TOKEN\n${MANAGER_USAGE}`);
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new Error('--tls-cert and --tls-key go together');
  if (values['tls-ca'] && !values['tls-cert']) throw new Error('--tls-ca goes with --tls-cert and --tls-key (it is the CA that signed them)');
  const int = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${v}"`);
    return n;
  };
  const etcdCredentials = readEtcdCredentials({
    ca: values['etcd-ca'], cert: values['etcd-cert'], key: values['etcd-key'], user: values['etcd-user'], passwordFile: values['etcd-password-file'],
  });
  if (values['node-service-account'] !== undefined && !values['node-token-audience']) throw new Error('--node-service-account goes with --node-token-audience');
  const kube = await kubeOptions(values.kubeconfig, values['kube-namespace'], values['drain-guard-image']);
  const nodeTokens = values['node-token-audience'] !== undefined
    ? await nodeTokenVerifier(kube, values['node-token-audience'], values['node-service-account'])
    : undefined;
  const m = await Manager.start({
    etcd: values.etcd.split(','), etcdCredentials, listen: values.listen!, token,
    ...(values['node-key-file'] ? { nodeKey: readCredential('node-key-file', values['node-key-file']) } : {}),
    ...(nodeTokens ? { nodeTokens } : {}),
    tls: values['tls-cert'] ? {
      cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']!),
      ...(values['tls-ca'] ? { ca: readFileSync(values['tls-ca']) } : {}), serverName: values['tls-server-name'],
    } : undefined,
    id: values.id, prefix: values.prefix,
    electionTtl: int('election-ttl', values['election-ttl']), nodeLeaseTtl: int('node-lease-ttl', values['node-lease-ttl']),
    heartbeatMs: int('heartbeat-ms', values['heartbeat-ms']), snapshotEvery: int('snapshot-every', values['snapshot-every']),
    csiSocket: values['csi-socket'], kube, logger,
    ...(values['ui-listen'] ? { uiListen: values['ui-listen'] } : {}),
    ...(values['backup-credential-dir'] ? { backupCredentialDir: values['backup-credential-dir'] } : {}),
    ...(metricsListen ? { metricsListen } : {}),
  });
  if (values['ready-file']) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(values['ready-file'], JSON.stringify({ address: m.address, id: m.id, pid: process.pid, csiEndpoint: m.csiEndpoint, ui: m.uiUrl, metrics: m.metricsAddress }));
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
async function kubeOptions(kubeconfig: string | undefined, namespace: string | undefined, guardImage: string | undefined): Promise<ManagerOptions['kube']> {
  if (kubeconfig === undefined && !process.env.KUBERNETES_SERVICE_HOST) return undefined;
  const { KubeClient, loadKubeConfig } = await import('@cairn/kube');
  const kc = loadKubeConfig({ kubeconfig });
  return kc ? { client: new KubeClient(kc), namespace: namespace ?? process.env.POD_NAMESPACE ?? 'cairn-system', guardImage } : undefined;
}

/**
 * --node-token-audience: node credentials checked by the Kubernetes API server (a TokenReview of
 * the agent pod's projected token). Needs the Kubernetes client (in a pod, or --kubeconfig).
 */
async function nodeTokenVerifier(kube: ManagerOptions['kube'], audience: string, account: string | undefined): Promise<NodeTokenVerifier> {
  if (!audience) throw new Error('--node-token-audience is empty');
  if (!kube) throw new Error('--node-token-audience needs Kubernetes: run the manager in a pod or give --kubeconfig');
  const [namespace, name, ...rest] = (account ?? `${kube.namespace}:cairn-node`).split(':');
  if (!namespace || !name || rest.length) throw new Error(`--node-service-account must be NAMESPACE:NAME, got "${account}"`);
  const { NodeAuthenticator } = await import('@cairn/kube');
  return new NodeAuthenticator(kube.client, { audience, account: { namespace, name } });
}

// `cairn node --manager ADDR --node-id ID --disk PATH[:tag,tag] [--disk ...] --zone Z | --zone-from-node NODE`
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger, LOG_FLAGS_USAGE, parseLogFormat, parseLogLevel } from '@cairn/api';
import { checkNbdListen, parseNbdListen } from '@cairn/datapath';
import { DEFAULT_NODE_METRICS, parseMetricsListen } from '@cairn/api';
import type { NbdListen } from '@cairn/datapath';
import { Agent, parseDiskFlag } from './agent.js';
import type { AgentOptions } from './agent.js';
import { labelOwnPod, readNodeInfo } from './node-zone.js';
import { tokenFromFile } from './token-file.js';

/** Where `cairn node` serves NBD unless told otherwise: only root and the agent's user can connect. */
export const DEFAULT_NBD_SOCKET = '/run/cairn/nbd/nbd.sock';

export const AGENT_USAGE = `usage: cairn node --manager HOST:PORT[,HOST:PORT] --node-id ID --disk PATH[:tag,tag] [--disk ...]
                  --zone ZONE | --zone-from-node NODE   (in Kubernetes: NODE's topology.kubernetes.io/zone label)
                  [--tags a,b]   (none given, in Kubernetes: NODE's tag.node.cairn.io/TAG=true labels)
                  [--kubeconfig FILE]   (else in a pod: its service account; POD_NAME/POD_NAMESPACE: label the pod node.cairn.io/id)
                  --node-token-file FILE   (or CAIRN_NODE_TOKEN: this node's own credential, from
                    "cairn manager node-credential NODE"; a cluster whose managers have no node key
                    takes the admin token instead: --token TOKEN | --token-file FILE, or CAIRN_TOKEN)
                  [--data-host HOST] [--data-port P]
                  [--nbd-socket PATH]   (default ${DEFAULT_NBD_SOCKET}: the volumes' NBD exports, 0600 in a 0700 dir)
                  [--nbd-listen HOST:PORT [--nbd-tls-cert F --nbd-tls-key F --nbd-tls-ca F]]
                                (NBD on TCP instead: loopback, or any address with TLS and client certificates from the CA)
                  [--data-advertise HOST:PORT]   (the replica address others are told, e.g. a proxy's)
                  [--csi-socket PATH [--csi-state-dir DIR]]   (serve the CSI Identity + Node services)
                  [--tls-ca FILE [--tls-cert FILE --tls-key FILE]]   (check the manager against the CA; with this
                    node's certificate: present it, and replica traffic is TLS)
                  [--tls-server-name NAME]   (the name managers' certificates carry, whatever address is dialled)
                  ${LOG_FLAGS_USAGE}   (default info; json lines, or pretty ones on a terminal)
                  [--metrics-listen HOST:PORT | :PORT | off]   (Prometheus /metrics, plain HTTP; default ${DEFAULT_NODE_METRICS})`;

export async function runAgent(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      manager: { type: 'string' }, 'node-id': { type: 'string' }, disk: { type: 'string', multiple: true },
      zone: { type: 'string', default: '' }, 'zone-from-node': { type: 'string' }, tags: { type: 'string' },
      kubeconfig: { type: 'string' },
      token: { type: 'string' }, 'token-file': { type: 'string' }, 'node-token-file': { type: 'string' },
      'data-host': { type: 'string', default: '127.0.0.1' }, 'data-port': { type: 'string', default: '0' },
      'nbd-socket': { type: 'string' }, 'nbd-listen': { type: 'string' },
      'nbd-tls-cert': { type: 'string' }, 'nbd-tls-key': { type: 'string' }, 'nbd-tls-ca': { type: 'string' },
      'data-advertise': { type: 'string' },
      'csi-socket': { type: 'string' }, 'csi-state-dir': { type: 'string' },
      'tls-ca': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-server-name': { type: 'string' },
      'log-level': { type: 'string' }, 'log-format': { type: 'string' },
      'metrics-listen': { type: 'string', default: DEFAULT_NODE_METRICS },
    },
  });
  const level = parseLogLevel(values['log-level']);
  const format = parseLogFormat(values['log-format']);
  if (!values.manager) throw new Error(`--manager is required\n${AGENT_USAGE}`);
  if (!values['node-id']) throw new Error(`--node-id is required\n${AGENT_USAGE}`);
  // The node's own token first; the admin token only for a cluster without node credentials.
  // The file is read again when it changes (a Kubernetes projected token is rotated in place).
  const token = (values['node-token-file'] ? tokenFromFile(values['node-token-file']) : undefined)
    ?? (values['node-token-file'] === undefined ? process.env.CAIRN_NODE_TOKEN : undefined)
    ?? values.token ?? (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env.CAIRN_TOKEN);
  if (!token) throw new Error(`a credential is required: --node-token-file or CAIRN_NODE_TOKEN (or, without node credentials, --token, --token-file or CAIRN_TOKEN)\n${AGENT_USAGE}`);
  if (values['zone-from-node'] !== undefined && values.zone) throw new Error(`give --zone or --zone-from-node, not both\n${AGENT_USAGE}`);
  const port = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--${name} must be a port number, got "${v}"`);
    return n;
  };
  const dataPort = port('data-port', values['data-port']);
  const nbd = nbdListenOf(values);
  const advertise = values['data-advertise'];
  if (advertise !== undefined && !/^[^\s:]+:\d{1,5}$/.test(advertise)) throw new Error(`--data-advertise must be HOST:PORT, got "${advertise}"`);
  if (advertise !== undefined) port('data-advertise', advertise.slice(advertise.lastIndexOf(':') + 1));
  const disks = (values.disk ?? []).map(parseDiskFlag);
  const metricsListen = parseMetricsListen(values['metrics-listen']!);
  const tls = tlsFiles(values['tls-ca'], values['tls-cert'], values['tls-key'], values['tls-server-name']);
  // Last, after every cheap check: these ask the Kubernetes API server.
  const info = values['zone-from-node'] !== undefined
    ? await readNodeInfo(values['zone-from-node'], { kubeconfig: values.kubeconfig })
    : { zone: values.zone!, tags: null };
  // Tags given on the command line win; else the Node's tag labels (the leading manager keeps them in step later).
  const tags = values.tags !== undefined ? values.tags.split(',').filter(Boolean) : info.tags ?? [];
  const labelled = await labelOwnPod(values['node-id'], { kubeconfig: values.kubeconfig });
  const logger = createLogger({ level, format, name: values['node-id'] });
  if (labelled) logger.info({ component: 'agent' }, labelled);
  const agent = new Agent({
    manager: values.manager.split(','), nodeId: values['node-id'], zone: info.zone, token,
    disks, tags,
    dataHost: values['data-host'], dataPort, nbd, dataAdvertise: advertise,
    csiSocket: values['csi-socket'], csiStateDir: values['csi-state-dir'], tls, logger,
    ...(metricsListen ? { metricsListen } : {}),
  });
  await agent.start();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await agent.stop();
  return 0;
}

/**
 * Where the agent serves NBD, from its flags: the unix socket (default), or --nbd-listen on TCP,
 * where an address off loopback needs all three --nbd-tls-* files (the rule is @cairn/datapath's).
 */
export function nbdListenOf(v: { 'nbd-socket'?: string; 'nbd-listen'?: string; 'nbd-tls-cert'?: string; 'nbd-tls-key'?: string; 'nbd-tls-ca'?: string }): NbdListen {
  const files = [v['nbd-tls-cert'], v['nbd-tls-key'], v['nbd-tls-ca']];
  const given = files.filter((f) => f !== undefined).length;
  if (given !== 0 && given !== 3) throw new Error(`--nbd-tls-cert, --nbd-tls-key and --nbd-tls-ca go together\n${AGENT_USAGE}`);
  if (v['nbd-listen'] === undefined) {
    if (given) throw new Error(`--nbd-tls-* need --nbd-listen (the unix socket is not served over TLS)\n${AGENT_USAGE}`);
    const l: NbdListen = { kind: 'unix', path: v['nbd-socket'] ?? DEFAULT_NBD_SOCKET };
    checkNbdListen(l);
    return l;
  }
  if (v['nbd-socket'] !== undefined) throw new Error(`give --nbd-socket or --nbd-listen, not both\n${AGENT_USAGE}`);
  const tls = given ? { cert: readFileSync(files[0]!), key: readFileSync(files[1]!), ca: readFileSync(files[2]!) } : undefined;
  return parseNbdListen(v['nbd-listen'], tls);
}

/** The agent's TLS files, read now (a missing file fails the start, not the first connection). */
function tlsFiles(ca: string | undefined, cert: string | undefined, key: string | undefined, serverName: string | undefined): AgentOptions['tls'] {
  if (Boolean(cert) !== Boolean(key)) throw new Error(`--tls-cert and --tls-key go together\n${AGENT_USAGE}`);
  if (cert && !ca) throw new Error(`--tls-cert needs --tls-ca (the CA the manager's and other nodes' certificates are checked against)\n${AGENT_USAGE}`);
  if (serverName && !ca) throw new Error(`--tls-server-name needs --tls-ca\n${AGENT_USAGE}`);
  if (!ca) return undefined;
  return { ca: readFileSync(ca), ...(cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : {}), serverName };
}

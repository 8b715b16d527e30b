// `cairn node --manager ADDR --node-id ID --disk PATH[:tag,tag] [--disk ...] --zone Z | --zone-from-node NODE`:
// the agent's command line, declared once (AGENT_COMMAND: the parser, --help and the deploy tests
// read it), and the start-up that turns the flags into AgentOptions.
import { readFileSync } from 'node:fs';
import {
  commandHelp,
  createLogger,
  flagTexts,
  LOG_FLAGS,
  parseCommandLine,
  parseLogFormat,
  parseLogLevel,
  UsageError,
} from '@cairn/api';
import type { CommandSpec } from '@cairn/api';
import { checkNbdListen, parseNbdListen } from '@cairn/datapath';
import { DEFAULT_NODE_METRICS, parseMetricsListen } from '@cairn/api';
import type { NbdListen } from '@cairn/datapath';
import { Agent, parseDiskFlag } from './agent.js';
import type { AgentOptions } from './agent.js';
import { labelOwnPod, readNodeInfo } from './node-zone.js';
import { tokenFromFile } from './token-file.js';

/** Where `cairn node` serves NBD unless told otherwise: only root and the agent's user can connect. */
export const DEFAULT_NBD_SOCKET = '/run/cairn/nbd/nbd.sock';

/** `cairn node`: every flag it accepts. */
export const AGENT_COMMAND = {
  path: 'node',
  args: [],
  summary: "Run a node agent: its disks' replicas, the engines of volumes attached here, their NBD exports.",
  notes:
    'In Kubernetes (a pod, or --kubeconfig) with POD_NAME and POD_NAMESPACE set, the agent labels its pod node.cairn.io/id.',
  flags: {
    manager: { type: 'string', value: 'HOST:PORT[,HOST:PORT]', required: true, help: "the managers' node API" },
    'node-id': { type: 'string', value: 'ID', required: true, help: "this node's name" },
    disk: {
      type: 'string',
      value: 'PATH[:tag,tag]',
      multiple: true,
      help: 'a disk (a directory) for replicas, with its tags (repeat)',
    },
    zone: { type: 'string', value: 'ZONE', help: "this node's zone (or --zone-from-node)" },
    'zone-from-node': {
      type: 'string',
      value: 'NODE',
      help: "in Kubernetes: the zone is NODE's topology.kubernetes.io/zone label",
    },
    tags: {
      type: 'string',
      value: 'a,b',
      help: "node tags (none given, in Kubernetes: NODE's tag.node.cairn.io/TAG=true labels)",
    },
    kubeconfig: { type: 'string', value: 'FILE', help: 'the Kubernetes API (else in a pod: its service account)' },
    'node-token-file': {
      type: 'string',
      value: 'FILE',
      help: 'this node\'s own credential (or CAIRN_NODE_TOKEN), from "cairn manager node-credential NODE"',
    },
    token: {
      type: 'string',
      value: 'TOKEN',
      help: 'a cluster whose managers have no node key takes the admin token instead (or --token-file, or CAIRN_TOKEN)',
    },
    'token-file': { type: 'string', value: 'FILE', help: 'read the admin token from FILE' },
    'data-host': { type: 'string', value: 'HOST', default: '127.0.0.1', help: 'where replicas listen' },
    'data-port': { type: 'string', value: 'P', default: '0', help: "the replicas' port (0: any free one)" },
    'data-advertise': {
      type: 'string',
      value: 'HOST:PORT',
      help: "the replica address others are told, e.g. a proxy's",
    },
    'nbd-socket': {
      type: 'string',
      value: 'PATH',
      help: `the volumes' NBD exports, 0600 in a 0700 dir (default ${DEFAULT_NBD_SOCKET})`,
    },
    'nbd-listen': {
      type: 'string',
      value: 'HOST:PORT',
      help: 'NBD on TCP instead: loopback, or any address with TLS and client certificates from --nbd-tls-ca',
    },
    'nbd-tls-cert': { type: 'string', value: 'FILE', help: "with --nbd-listen: the NBD server's certificate" },
    'nbd-tls-key': { type: 'string', value: 'FILE', help: 'its key' },
    'nbd-tls-ca': { type: 'string', value: 'FILE', help: "the CA of the clients' certificates" },
    'csi-socket': { type: 'string', value: 'PATH', help: 'serve the CSI Identity and Node services there' },
    'csi-state-dir': { type: 'string', value: 'DIR', help: 'where the CSI node service keeps its state' },
    'tls-ca': { type: 'string', value: 'FILE', help: 'check the manager against this CA' },
    'tls-cert': {
      type: 'string',
      value: 'FILE',
      help: "this node's certificate (with --tls-ca): presented to managers, and replica traffic is TLS",
    },
    'tls-key': { type: 'string', value: 'FILE', help: 'the key of --tls-cert' },
    'tls-server-name': {
      type: 'string',
      value: 'NAME',
      help: "the name the managers' certificates carry, whatever address is dialled",
    },
    'metrics-listen': {
      type: 'string',
      value: 'HOST:PORT|:PORT|off',
      default: DEFAULT_NODE_METRICS,
      help: 'Prometheus /metrics, plain HTTP',
    },
    ...LOG_FLAGS,
    help: { type: 'boolean', short: 'h', help: 'print this help' },
  },
} satisfies CommandSpec;

export async function runAgent(args: string[]): Promise<number> {
  const p = parseCommandLine(AGENT_COMMAND, args);
  if (p.flags['help']) return (void process.stdout.write(commandHelp(AGENT_COMMAND)), 0);
  const values = { ...flagTexts(AGENT_COMMAND, p), disk: p.lists?.['disk'] };
  const level = parseLogLevel(values['log-level']);
  const format = parseLogFormat(values['log-format']);
  if (!values.manager) throw new UsageError('--manager is required', 'node');
  if (!values['node-id']) throw new UsageError('--node-id is required', 'node');
  // The node's own token first; the admin token only for a cluster without node credentials.
  // The file is read again when it changes (a Kubernetes projected token is rotated in place).
  const token =
    (values['node-token-file'] ? tokenFromFile(values['node-token-file']) : undefined) ??
    (values['node-token-file'] === undefined ? process.env.CAIRN_NODE_TOKEN : undefined) ??
    values.token ??
    (values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env.CAIRN_TOKEN);
  if (!token)
    throw new UsageError(
      'a credential is required: --node-token-file or CAIRN_NODE_TOKEN (or, without node credentials, --token, --token-file or CAIRN_TOKEN)',
      'node',
    );
  if (values['zone-from-node'] !== undefined && values.zone)
    throw new UsageError('give --zone or --zone-from-node, not both', 'node');
  const port = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new UsageError(`--${name} must be a port number, got "${v}"`, 'node');
    return n;
  };
  const dataPort = port('data-port', values['data-port']);
  const nbd = nbdListenOf(values);
  const advertise = values['data-advertise'];
  if (advertise !== undefined && !/^[^\s:]+:\d{1,5}$/.test(advertise))
    throw new UsageError(`--data-advertise must be HOST:PORT, got "${advertise}"`, 'node');
  if (advertise !== undefined) port('data-advertise', advertise.slice(advertise.lastIndexOf(':') + 1));
  const disks = (values.disk ?? []).map(parseDiskFlag);
  const metricsListen = parseMetricsListen(values['metrics-listen']!);
  const tls = tlsFiles(values['tls-ca'], values['tls-cert'], values['tls-key'], values['tls-server-name']);
  // Last, after every cheap check: these ask the Kubernetes API server.
  const info =
    values['zone-from-node'] !== undefined
      ? await readNodeInfo(values['zone-from-node'], { kubeconfig: values.kubeconfig })
      : { zone: values.zone ?? '', tags: null };
  // Tags given on the command line win; else the Node's tag labels (the leading manager keeps them in step later).
  const tags = values.tags !== undefined ? values.tags.split(',').filter(Boolean) : (info.tags ?? []);
  const labelled = await labelOwnPod(values['node-id'], { kubeconfig: values.kubeconfig });
  const logger = createLogger({ level, format, name: values['node-id'] });
  if (labelled) logger.info({ component: 'agent' }, labelled);
  const agent = new Agent({
    manager: values.manager.split(','),
    nodeId: values['node-id'],
    zone: info.zone,
    token,
    disks,
    tags,
    dataHost: values['data-host'],
    dataPort,
    nbd,
    dataAdvertise: advertise,
    csiSocket: values['csi-socket'],
    csiStateDir: values['csi-state-dir'],
    tls,
    logger,
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
export function nbdListenOf(v: {
  'nbd-socket'?: string;
  'nbd-listen'?: string;
  'nbd-tls-cert'?: string;
  'nbd-tls-key'?: string;
  'nbd-tls-ca'?: string;
}): NbdListen {
  const files = [v['nbd-tls-cert'], v['nbd-tls-key'], v['nbd-tls-ca']];
  const given = files.filter((f) => f !== undefined).length;
  if (given !== 0 && given !== 3)
    throw new UsageError('--nbd-tls-cert, --nbd-tls-key and --nbd-tls-ca go together', 'node');
  if (v['nbd-listen'] === undefined) {
    if (given) throw new UsageError('--nbd-tls-* need --nbd-listen (the unix socket is not served over TLS)', 'node');
    const l: NbdListen = { kind: 'unix', path: v['nbd-socket'] ?? DEFAULT_NBD_SOCKET };
    checkNbdListen(l);
    return l;
  }
  if (v['nbd-socket'] !== undefined) throw new UsageError('give --nbd-socket or --nbd-listen, not both', 'node');
  const tls = given
    ? { cert: readFileSync(files[0]!), key: readFileSync(files[1]!), ca: readFileSync(files[2]!) }
    : undefined;
  return parseNbdListen(v['nbd-listen'], tls);
}

/** The agent's TLS files, read now (a missing file fails the start, not the first connection). */
function tlsFiles(
  ca: string | undefined,
  cert: string | undefined,
  key: string | undefined,
  serverName: string | undefined,
): AgentOptions['tls'] {
  if (Boolean(cert) !== Boolean(key)) throw new UsageError('--tls-cert and --tls-key go together', 'node');
  if (cert && !ca)
    throw new UsageError(
      `--tls-cert needs --tls-ca (the CA the manager's and other nodes' certificates are checked against)`,
      'node',
    );
  if (serverName && !ca) throw new UsageError('--tls-server-name needs --tls-ca', 'node');
  if (!ca) return undefined;
  return {
    ca: readFileSync(ca),
    ...(cert && key ? { cert: readFileSync(cert), key: readFileSync(key) } : {}),
    serverName,
  };
}

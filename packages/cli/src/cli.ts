// The `cairn` command line: routes argv to a command and turns whatever it throws into one line
// on stderr and an exit code. Callable in-process: run(argv, io) returns the exit code and writes
// only to io (except the process-level commands up, down, status, which print themselves).
import { commandHelp as agentHelp } from '@cairn/api';
import { commandHelp, GLOBAL_FLAGS, parseCommand, usageLine } from './args.js';
import type { Parsed } from './args.js';
import { grpcAdminApi } from './client.js';
import type { AdminApi } from './client.js';
import type { Command, Context, Group } from './command.js';
import { commandName } from './command.js';
import { resolveConnection } from './config.js';
import type { Connection } from './config.js';
import { describeError, EXIT_USAGE, UsageError } from './errors.js';
import type { ErrorContext } from './errors.js';
import { processIo } from './io.js';
import type { Io } from './io.js';
import { outputFormat } from './output.js';
import { audit } from './commands/audit.js';
import { backup } from './commands/backup.js';
import { pki } from './commands/pki.js';
import { disk } from './commands/disk.js';
import { events } from './commands/events.js';
import { info } from './commands/info.js';
import { node } from './commands/node.js';
import { settings } from './commands/settings.js';
import { snapshot } from './commands/snapshot.js';
import { job } from './commands/job.js';
import { volume } from './commands/volume.js';
import { VERSION } from './version.js';

export interface RunOptions {
  /** Makes the admin API for a resolved connection (default: gRPC). Tests pass a fake. */
  api?: (conn: Connection) => AdminApi;
}

/**
 * Commands that run processes or print for themselves: they get their arguments as they are.
 * Loaded on use, so that admin commands do not load the manager, the agent or etcd's tooling.
 */
const PROCESS_COMMANDS: Record<
  string,
  { synopsis: string; summary: string; run: (args: string[]) => Promise<number> }
> = {
  up: {
    synopsis:
      'up [--dir DIR] [--nodes N] [--etcd ENDPOINTS [--etcd-ca F --etcd-cert F --etcd-key F] | --etcd-members 1|3|5]' +
      ' [--detach] [--demo] [--no-tls] [--log-level trace|debug|info|warn|error]',
    summary: 'start a local cluster: etcd, a manager, N node agents (TLS with DIR/pki)',
    run: async (a) => (await import('./up.js')).up(a),
  },
  down: {
    synopsis: 'down [--dir DIR]',
    summary: 'stop what cairn up started',
    run: async (a) => (await import('./up.js')).down(a),
  },
  restart: {
    synopsis: 'restart NAME [--dir DIR]',
    summary: 'start a stopped process of the local cluster again (node-N, manager-N, etcd-N)',
    run: async (a) => (await import('./up.js')).restart(a),
  },
  status: {
    synopsis: 'status [--dir DIR] [-o json]',
    summary: "the local cluster's processes and nodes",
    run: async (a) => (await import('./up.js')).status(a),
  },
  'support-bundle': {
    synopsis: 'support-bundle [--dir DIR] [--output FILE] [--log-lines N]',
    summary:
      'one .tar.gz with status, settings, versions, the event log, recent logs of every process and host facts; secrets left out',
    run: async (a) => (await import('./support-bundle.js')).supportBundle(a),
  },
  'etcd-auth': {
    synopsis: 'etcd-auth --etcd URL[,URL] --etcd-ca F --etcd-cert F --etcd-key F',
    summary: "turn on etcd authentication: only the managers' certificate reads and writes cairn's keys",
    run: async (a) => (await import('./up-etcd.js')).etcdAuth(a),
  },
  manager: {
    synopsis: 'manager --etcd URL[,URL] [flags]',
    summary: 'run a manager: admin and node APIs, the scheduler when leading',
    run: async (a) => (await import('@cairn/manager')).runManager(a),
  },
};
// The node agent shares the word "node" with the admin commands: `cairn node ls|get|update` are
// admin commands, any other `cairn node --flag ...` (e.g. --manager ADDR --node-id ID) runs the agent.
const NODE_AGENT = {
  synopsis: 'node --manager ADDR --node-id ID --disk PATH[:tag,tag] --zone Z',
  summary: 'run a node agent',
};
const runNodeAgent = async (a: string[]): Promise<number> => (await import('@cairn/agent')).runAgent(a);

/** Two columns, the first padded to its widest cell. */
function columns(rows: (readonly [string, string])[], indent = '  '): string[] {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`.trimEnd());
}

const GROUPS: Group[] = [volume, node, disk, settings, snapshot, backup, job, audit, pki];
const SINGLES: Command[] = [events, info];

function topHelp(): string {
  const lines = [
    `cairn ${VERSION}: replicated block storage for Kubernetes`,
    '',
    'usage: cairn <command> [flags]',
    '',
    'local cluster and processes:',
    ...columns([...Object.values(PROCESS_COMMANDS), NODE_AGENT].map((c) => [c.synopsis, c.summary] as const)),
    '',
    'admin (talks to a manager; "cairn <command> --help" for more):',
    ...columns([
      ...GROUPS.map((g) => [g.name, g.summary] as const),
      ...SINGLES.map(
        (c) =>
          [c.spec.path, c.spec.summary.charAt(0).toLowerCase() + c.spec.summary.slice(1).replace(/\.$/, '')] as const,
      ),
      ['version', 'print the version'],
      ['help [COMMAND]', "this help, or a command's"],
    ]),
    '',
    'connection: --endpoint HOST:PORT and --token TOKEN (or CAIRN_ENDPOINT, CAIRN_TOKEN); by default both',
    'come from ./.cairn/cluster.json, which cairn up writes (--cluster PATH or CAIRN_CLUSTER for another).',
    'output: tables by default, -o json for programs. Errors: one line on stderr and a non-zero exit',
    '(2 for a wrong command line); CAIRN_DEBUG=1 adds the stack.',
  ];
  return lines.join('\n') + '\n';
}

function groupHelp(g: Group): string {
  const rows = g.commands.map((c) => [usageLine(c.spec).replace(/^cairn /, ''), c.spec.summary] as const);
  if (g === node) rows.push([NODE_AGENT.synopsis, NODE_AGENT.summary]);
  return (
    [
      `usage: cairn ${g.name} <command> [flags]`,
      '',
      g.summary,
      '',
      'commands:',
      ...columns(rows),
      '',
      `run "cairn ${g.name} <command> --help" for its flags.`,
    ].join('\n') + '\n'
  );
}

const STRING_GLOBALS = new Set(
  Object.entries(GLOBAL_FLAGS).flatMap(([n, f]) =>
    f.type === 'string' ? [`--${n}`, ...(f.short ? [`-${f.short}`] : [])] : [],
  ),
);

/** Moves global flags given before the command word (cairn -o json volume ls) to the end. */
export function hoistGlobals(argv: string[]): string[] {
  const lead: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = a.split('=')[0]!;
    if (!STRING_GLOBALS.has(flag)) break;
    lead.push(a);
    if (!a.includes('=') && i + 1 < argv.length) lead.push(argv[++i]!);
  }
  return lead.length ? [...argv.slice(i), ...lead] : argv;
}

function connectionFlags(p: Parsed) {
  const s = (n: string) => (typeof p.flags[n] === 'string' ? (p.flags[n] as string) : undefined);
  return {
    endpoint: s('endpoint'),
    token: s('token'),
    'token-file': s('token-file'),
    cluster: s('cluster'),
    'tls-ca': s('tls-ca'),
    timeout: s('timeout'),
  };
}

async function execute(cmd: Command, argv: string[], io: Io, o: RunOptions, errCtx: ErrorContext): Promise<number> {
  const p = parseCommand(cmd.spec, argv);
  if (p.flags['help']) {
    io.stdout.write(commandHelp(cmd.spec));
    return 0;
  }
  let api: AdminApi | null = null;
  const ctx: Context = {
    io,
    format: outputFormat(p, cmd.spec.path),
    print: (text) => void io.stdout.write(text),
    api() {
      if (!api) {
        const conn = resolveConnection(connectionFlags(p), io.env, io.cwd);
        errCtx.endpoint = conn.endpoint;
        errCtx.tokenSource = conn.tokenSource;
        errCtx.timeoutMs = conn.timeoutMs;
        api = (o.api ?? grpcAdminApi)(conn);
      }
      return api;
    },
  };
  try {
    return await cmd.run(ctx, p);
  } finally {
    (api as AdminApi | null)?.close();
  }
}

function findIn(g: Group, word: string | undefined): Command | undefined {
  if (word === undefined) return undefined;
  return g.commands.find((c) => commandName(c) === word || c.aliases?.includes(word));
}

async function route(argv: string[], io: Io, o: RunOptions, errCtx: ErrorContext): Promise<number> {
  const [name = 'help', ...rest] = hoistGlobals(argv);
  if (name === 'help' || name === '--help' || name === '-h') {
    const [what, sub] = rest;
    const g = GROUPS.find((x) => x.name === what);
    const single = SINGLES.find((c) => c.spec.path === what);
    // A process command prints its own help (generated from its declaration, like every other).
    if (what !== undefined && PROCESS_COMMANDS[what]) return PROCESS_COMMANDS[what].run(['--help']);
    if (g) {
      const c = findIn(g, sub);
      io.stdout.write(c ? commandHelp(c.spec) : groupHelp(g));
    } else if (single) io.stdout.write(commandHelp(single.spec));
    else if (what !== undefined && !what.startsWith('-')) throw new UsageError(`unknown command "${what}"`);
    else io.stdout.write(topHelp());
    return 0;
  }
  if (name === 'version' || name === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const proc = PROCESS_COMMANDS[name];
  if (proc) return proc.run(rest);

  const single = SINGLES.find((c) => c.spec.path === name);
  if (single) return execute(single, rest, io, o, errCtx);

  const g = GROUPS.find((x) => x.name === name);
  if (!g) throw new UsageError(`unknown command "${name}"`);
  const [word, ...args] = rest;
  const cmd = findIn(g, word);
  if (cmd) return execute(cmd, args, io, o, errCtx);
  if (g === node && word !== undefined && word !== 'help' && word !== '--help' && word !== '-h') {
    // Not an admin subcommand: the node agent's command line.
    if (word.startsWith('-')) return runNodeAgent(rest);
  }
  if (word === undefined || word === 'help' || word === '--help' || word === '-h') {
    // `cairn node --help` also shows the agent's own flags (generated from its declaration).
    const agent =
      g === node
        ? `\nthe node agent (cairn node --manager ...):\n${agentHelp((await import('@cairn/agent')).AGENT_COMMAND)}`
        : '';
    (word === undefined ? io.stderr : io.stdout).write(groupHelp(g) + agent);
    return word === undefined ? EXIT_USAGE : 0;
  }
  throw new UsageError(`unknown command "${name} ${word}"`, name);
}

/** Runs one command line; never throws: errors become a line on io.stderr and the exit code. */
export async function run(argv: string[], io: Io = processIo(), o: RunOptions = {}): Promise<number> {
  const errCtx: ErrorContext = {};
  try {
    return await route(argv, io, o, errCtx);
  } catch (e) {
    const { line, exitCode } = describeError(e, errCtx);
    io.stderr.write(`cairn: ${line}\n`);
    if (io.env['CAIRN_DEBUG'] && io.env['CAIRN_DEBUG'] !== '0')
      io.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return exitCode;
  }
}

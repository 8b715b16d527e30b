// `cairn support-bundle [--dir DIR] [--output FILE] [--log-lines N]`: what a maintainer asks for
// when something goes wrong with a cluster, in one .tar.gz (Longhorn's support bundle, for the
// cluster `cairn up` runs): versions, the cluster file and process status, what the admin API says
// (cluster info, nodes, volumes with their replicas, settings), the whole event log in the audit
// export format, the last lines of every process's log, and facts about the host.
//
// Secrets stay out. The bundle never copies the token, the node key, node tokens, private keys or
// etcd credentials (only their paths appear, in the cluster file); every text put in it is also
// scrubbed of the values of those files and of anything shaped like a secret (a bearer value, a
// node token, a PEM private key), in case a log line quoted one. manifest.json says what was left
// out. It does not collect what a cluster in Kubernetes logs to its pods (`kubectl logs`).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { cpus, freemem, hostname, loadavg, release, tmpdir, totalmem, type as osType, uptime } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { create as createTar } from 'tar';
import { commandHelp, flagTexts, parseCommandLine, UsageError } from '@cairn/api';
import type { CommandSpec } from '@cairn/api';
import { readClusterFile, clusterApi } from './cluster-file.js';
import type { ClusterFile } from './cluster-file.js';
import { exportLine } from './replay.js';
import { VERSION } from './version.js';
import { alive } from './up.js';

/** Texts shaped like secrets, whatever their value: replaced wherever they appear. */
const SECRET_SHAPES: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[private key redacted]'],
  [/\bcairn-node\.[A-Za-z0-9._-]+\.[A-Za-z0-9_-]{20,}/g, '[node token redacted]'],
  [/(Bearer\s+)[^\s"']+/gi, '$1[redacted]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '[service-account token redacted]'],
];

/** `text` with every known secret value and every secret-shaped text replaced. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  for (const [re, by] of SECRET_SHAPES) out = out.replace(re, by);
  return out;
}

/** The last `n` lines of a text. */
export function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n).join('\n') + (lines.length ? '\n' : '');
}

/** The secret values of a cluster `up` made: its token, node key and tokens, private keys, etcd password. */
function secretValues(c: ClusterFile): { values: string[]; files: string[] } {
  const files = new Set<string>([c.token]);
  const dir = resolve(c.dir);
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(key|token)$/.test(e.name) || d.endsWith('credentials')) files.add(p);
    }
  };
  walk(join(dir, 'credentials'));
  walk(join(dir, 'pki'));
  const etcd = c.etcdCredentials as { key?: string; passwordFile?: string } | undefined;
  for (const f of [etcd?.key, etcd?.passwordFile]) if (f) files.add(f);
  const values: string[] = [];
  for (const f of files) {
    try {
      const v = readFileSync(f, 'utf8').trim();
      if (v)
        values.push(
          v,
          ...v
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l.length >= 16 && !l.startsWith('-----')),
        );
    } catch {
      /* gone: nothing to hide */
    }
  }
  return { values, files: [...files].sort() };
}

/** The processes of the cluster file and their log files. */
function processLogs(c: ClusterFile): { name: string; log: string }[] {
  const out = new Map<string, string>();
  const add = (name: string, log: string | undefined): void => {
    if (log && !out.has(log)) out.set(log, name);
  };
  add(c.manager.id, c.manager.log);
  for (const m of c.managers ?? []) add(m.id, m.log);
  for (const m of c.etcdMembers ?? []) add(m.name, m.log);
  for (const n of c.nodes) add(n.id, n.log);
  const logs = join(resolve(c.dir), 'logs');
  if (existsSync(logs)) for (const f of readdirSync(logs)) add(basename(f, '.log'), join(logs, f));
  return [...out].map(([log, name]) => ({ name, log }));
}

function hostFacts(dir: string): object {
  const fs = ((): object | null => {
    try {
      const s = statfsSync(dir);
      return { path: dir, totalBytes: s.blocks * s.bsize, availableBytes: s.bavail * s.bsize };
    } catch {
      return null;
    }
  })();
  const read = (p: string): string | null => (existsSync(p) ? readFileSync(p, 'utf8') : null);
  const mounts = (read('/proc/self/mounts') ?? '').split('\n').filter((l) => /fuse|nbd|loop|cairn/.test(l));
  return {
    hostname: hostname(),
    os: osType(),
    kernel: release(),
    osRelease: read('/etc/os-release'),
    uptimeSeconds: uptime(),
    cpus: cpus().length,
    loadavg: loadavg(),
    memory: { totalBytes: totalmem(), freeBytes: freemem() },
    node: process.version,
    filesystem: fs,
    mounts,
  };
}

export const SUPPORT_BUNDLE_COMMAND = {
  path: 'support-bundle',
  args: [],
  summary:
    'Write one .tar.gz with status, settings, versions, the event log, recent logs of every process and host facts; secrets left out.',
  flags: {
    dir: { type: 'string', value: 'DIR', default: '.cairn', help: "the local cluster's directory" },
    output: { type: 'string', value: 'FILE', help: 'where to write it (default ./cairn-support-bundle-TIME.tar.gz)' },
    'log-lines': { type: 'string', value: 'N', default: '5000', help: 'the last N lines of each log' },
    help: { type: 'boolean', short: 'h', help: 'print this help' },
  },
} satisfies CommandSpec;

export async function supportBundle(args: string[]): Promise<number> {
  const p = parseCommandLine(SUPPORT_BUNDLE_COMMAND, args);
  if (p.flags['help']) return (void process.stdout.write(commandHelp(SUPPORT_BUNDLE_COMMAND)), 0);
  const values = flagTexts(SUPPORT_BUNDLE_COMMAND, p);
  const logLines = Number(values['log-lines']);
  if (!Number.isInteger(logLines) || logLines < 1)
    throw new UsageError(
      `--log-lines must be a whole number of at least 1, got "${values['log-lines']}"`,
      'support-bundle',
    );
  const c = readClusterFile(values.dir!);
  if (!c)
    throw new Error(
      `no cluster in ${resolve(values.dir!)} (support-bundle collects the cluster "cairn up" started there; give --dir DIR)`,
    );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `cairn-support-bundle-${stamp}`;
  const output = resolve(values.output ?? `${name}.tar.gz`);
  const secrets = secretValues(c);
  const stage = mkdtempSync(join(tmpdir(), 'cairn-bundle-'));
  const root = join(stage, name);
  const problems: string[] = [];
  const put = (rel: string, text: string): void => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, redact(text, secrets.values));
  };
  const json = (v: unknown): string => `${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x), 2)}\n`;
  try {
    put('cluster.json', json(c));
    const processes = [
      ...[c.manager, ...(c.managers ?? [])].map((m) => ({ name: m.id, pid: m.pid })),
      ...(c.etcdMembers ?? []).map((m) => ({ name: m.name, pid: m.pid })),
      ...c.etcdPids.map((pid, i) => ({ name: `etcd-pid-${i + 1}`, pid })),
      ...c.nodes.map((n) => ({ name: n.id, pid: n.pid })),
    ].map((p) => ({ ...p, running: alive(p.pid) }));
    put('processes.json', json(processes));
    // What the admin API says, each part on its own: one that fails is noted, the rest still come.
    const api = clusterApi(c, 10_000);
    const ask = async (rel: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        put(rel, json(await fn()));
      } catch (e) {
        problems.push(`${rel}: ${(e as Error).message}`);
      }
    };
    try {
      await ask('api/cluster-info.json', () => api.getClusterInfo());
      await ask('api/nodes.json', () => api.listNodes());
      await ask('api/volumes.json', () => api.listVolumes());
      await ask('api/settings.json', () => api.getSettings({}));
      try {
        let events = '';
        for await (const ev of api.watchEvents({ fromSeq: 1, follow: false })) events += exportLine(ev);
        put('api/events.jsonl', events);
      } catch (e) {
        problems.push(`api/events.jsonl: ${(e as Error).message}`);
      }
    } finally {
      api.close();
    }
    for (const { name: proc, log } of processLogs(c)) {
      try {
        put(`logs/${proc}.log`, lastLines(readFileSync(log, 'utf8'), logLines));
      } catch (e) {
        problems.push(`logs/${proc}.log: ${(e as Error).message}`);
      }
    }
    put('host.json', json(hostFacts(resolve(c.dir))));
    put(
      'manifest.json',
      json({
        cairn: VERSION,
        createdAt: new Date().toISOString(),
        cluster: resolve(c.dir),
        logLines,
        leftOut: { files: secrets.files, why: 'credentials: their values are also scrubbed from every file here' },
        problems,
      }),
    );
    await createTar({ gzip: true, file: output, cwd: stage, portable: true }, [name]);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  console.log(`support bundle: ${output}${problems.length ? ` (incomplete: ${problems.join('; ')})` : ''}`);
  return 0;
}

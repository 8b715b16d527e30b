// cairn audit state|explain|verify|export|replay
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ExplainVolumeResponse__Output, VerifyResponse__Output } from '@cairn/api';
import { fromCanonicalJson } from '@cairn/metadata';
import { flagInt, flagString } from '../args.js';
import type { Command, Context, Group } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { dash, json, keyValues, size, time } from '../output.js';
import { checkExportEvent, exportLine, Replayer } from '../replay.js';
import { stateJson, stateSummary } from '../state-summary.js';

// ---- pure parts --------------------------------------------------------------------------------

/** --at: a seq (digits) or a time (ISO 8601, e.g. 2026-01-02T15:04:05Z). */
export function parseAt(text: string | undefined): { atSeq?: number; atTimeMs?: number } {
  if (text === undefined) return {};
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const seq = Number(t);
    if (seq < 1 || !Number.isSafeInteger(seq))
      throw new UsageError(`--at: a seq starts at 1, got "${text}"`, 'audit state');
    return { atSeq: seq };
  }
  const ms = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
  if (Number.isNaN(ms))
    throw new UsageError(
      `--at: expected a seq (e.g. 42) or an ISO time (e.g. 2026-01-02T15:04:05Z), got "${text}"`,
      'audit state',
    );
  if (ms <= 0) throw new UsageError(`--at: ${text} is before the log began`, 'audit state');
  return { atTimeMs: ms };
}

export function explainText(r: ExplainVolumeResponse__Output, name: string): string {
  const v = r.volume;
  const head = v
    ? `volume "${v.name}": ${size(v.size)}, ${v.replicas.length} of ${v.numberOfReplicas} replicas placed` +
      `, ${v.robustness}, ${v.state}${v.attachedTo ? ` on ${v.attachedTo}` : ''}\n`
    : `volume "${name}" no longer exists; its history:\n`;
  const rows = r.lines.map(
    (l) => `${String(l.seq).padStart(6)}  ${time(l.timeMs)}  ${(l.replicaId || '-').padEnd(12)}  ${l.text}`,
  );
  return head + (rows.length ? rows.join('\n') + '\n' : '(no recorded facts)\n');
}

export function verifyText(r: VerifyResponse__Output): string {
  const rows: [string, string][] = [
    [
      'result',
      r.ok ? 'ok: the log holds and the replay from seq 1 gives the live state' : `FAILED: ${verifyFailure(r)}`,
    ],
    ['seq', String(r.seq)],
    ['head', String(r.headSeq)],
    ['events checked', String(r.events)],
    [
      'hash chain',
      r.brokenSeq
        ? `BROKEN at seq ${r.brokenSeq}: ${r.problem}`
        : r.chainFromSeq === 0
          ? r.headSeq
            ? 'none (the log predates the chain: nothing in it is covered)'
            : 'empty log'
          : r.chainFromSeq === 1
            ? 'holds from seq 1 to the head'
            : `holds from seq ${r.chainFromSeq} (events before it predate the chain and are not covered)`,
    ],
    ['live hash', r.liveHash],
    ['replay hash', dash(r.replayHash)],
  ];
  if (r.projectionError) rows.push(['projection', `STOPPED: ${r.projectionError}`]);
  for (const c of r.snapshots) rows.push([`snapshot ${c.seq}`, c.ok ? 'ok' : `BAD: ${c.detail}`]);
  return keyValues(rows);
}

/** The first thing wrong, in one line (for the error message and the result row). */
export function verifyFailure(r: VerifyResponse__Output): string {
  if (r.brokenSeq) return `the log is broken at seq ${r.brokenSeq}: ${r.problem}`;
  if (r.projectionError) return `the manager's projection stopped: ${r.projectionError}`;
  if (r.liveHash !== r.replayHash)
    return `at seq ${r.seq} the live hash is ${r.liveHash} but the replay gives ${r.replayHash}`;
  const bad = r.snapshots.find((c) => !c.ok);
  if (bad) return `the snapshot at seq ${bad.seq} does not match the log: ${bad.detail}`;
  return 'unknown';
}

// ---- commands ----------------------------------------------------------------------------------

const state: Command = {
  spec: {
    path: 'audit state',
    args: [],
    summary: 'Show the cluster state as it was after a seq, or at a time (default: now).',
    notes:
      '-o json prints {"seq", "hash", "state"} with the state in its canonical form (what the hash is taken over).',
    flags: { at: { type: 'string', value: 'SEQ|ISO-TIME', help: 'e.g. --at 42 or --at 2026-01-02T15:04:05Z' } },
  },
  async run(ctx, p) {
    const req = parseAt(flagString(p, 'at', 'audit state'));
    const r = await ctx.api().auditState(req);
    const s = fromCanonicalJson(r.stateJson, r.seq);
    const extra: [string, string][] = req.atTimeMs ? [['at', time(req.atTimeMs)]] : [];
    ctx.print(ctx.format === 'json' ? json(stateJson(s, r.hash)) : stateSummary(s, r.hash, extra));
    return 0;
  },
};

const explain: Command = {
  spec: {
    path: 'audit explain',
    args: ['VOLUME'],
    flags: {},
    summary: 'Why each replica of a volume is where it is, and why any is missing, from the recorded decisions.',
  },
  async run(ctx, p) {
    const name = p.args['VOLUME']!;
    const r = await ctx.api().explainVolume({ name });
    ctx.print(ctx.format === 'json' ? json(r) : explainText(r, name));
    return 0;
  },
};

const verify: Command = {
  spec: {
    path: 'audit verify',
    args: [],
    flags: {},
    summary:
      'Check the whole log on the manager (hash chain, every snapshot) and that a replay from seq 1 gives the live state; exit 1 if not.',
    notes:
      'A broken hash chain names the first seq that does not hold: the log was changed outside cairn from there on\n' +
      '(or the seq before it, rewritten with its hash computed again). Managers project nothing from that seq on.',
  },
  async run(ctx) {
    const r = await ctx.api().verify();
    ctx.print(ctx.format === 'json' ? json(r) : verifyText(r));
    if (!r.ok) {
      ctx.io.stderr.write(`cairn: audit verify failed: ${verifyFailure(r)}\n`);
      return 1;
    }
    return 0;
  },
};

async function exportTo(ctx: Context, write: (chunk: string) => Promise<void>): Promise<number> {
  let next = 1;
  let buf = '';
  for await (const ev of ctx.api().watchEvents({ fromSeq: 1, follow: false }, ctx.io.signal)) {
    checkExportEvent(ev, next);
    buf += exportLine(ev);
    next++;
    if (buf.length >= 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  if (ctx.io.signal?.aborted) throw new CliError('export interrupted');
  if (buf) await write(buf);
  return next - 1;
}

const exportCmd: Command = {
  spec: {
    path: 'audit export',
    args: ['FILE'],
    flags: {},
    summary: 'Write the whole log to FILE as JSON lines, one event a line ("-": standard output).',
    notes:
      'The file is what "cairn audit replay" reads. It is written to FILE.tmp and renamed when complete.\n' +
      'The summary names the state hash at the last exported seq, which a replay of the file must give.',
  },
  async run(ctx, p) {
    const file = p.args['FILE']!;
    let seq: number;
    let where: string;
    if (file === '-') {
      seq = await exportTo(ctx, async (chunk) => void ctx.io.stdout.write(chunk));
      where = 'standard output';
    } else {
      where = resolve(ctx.io.cwd, file);
      const tmp = `${where}.tmp`;
      let fh;
      try {
        fh = await open(tmp, 'w');
      } catch (e) {
        throw new CliError(`cannot write ${tmp}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      try {
        seq = await exportTo(ctx, async (chunk) => void (await fh.write(chunk)));
        await fh.sync();
        await fh.close();
        await rename(tmp, where);
      } catch (e) {
        await fh.close().catch(() => {});
        await rm(tmp, { force: true });
        throw e;
      }
    }
    // The hash at exactly the last exported seq (the log may have moved on meanwhile).
    const hash = seq > 0 ? (await ctx.api().auditState({ atSeq: seq })).hash : '';
    const out = file === '-' ? ctx.io.stderr : ctx.io.stdout;
    if (ctx.format === 'json') out.write(json({ file: where, events: seq, seq, hash }));
    else if (seq === 0) out.write(`the log is empty; wrote an empty export to ${where}\n`);
    else out.write(`exported ${seq} events (seq 1..${seq}) to ${where}\nstate hash at seq ${seq}: ${hash}\n`);
    return 0;
  },
};

const replayCmd: Command = {
  spec: {
    path: 'audit replay',
    args: ['FILE'],
    summary: 'Rebuild the state from an export, offline (no etcd, no manager), and print its seq and hash.',
    notes:
      '-o json prints {"seq", "hash", "events", "state"}; with --expect the exit code says whether the hash matches.',
    flags: {
      to: { type: 'string', value: 'SEQ', help: 'stop after this seq (the state as it was then)' },
      expect: {
        type: 'string',
        value: 'HASH',
        help: 'exit 1 unless the replayed state hash is HASH (e.g. from audit export or info)',
      },
    },
  },
  async run(ctx, p) {
    const file = p.args['FILE']!;
    const path = resolve(ctx.io.cwd, file);
    const to = flagInt(p, 'to', { min: 1, command: 'audit replay' });
    const expect = flagString(p, 'expect', 'audit replay')?.trim().toLowerCase();
    const replayer = new Replayer(file, to ?? Infinity);
    const input = createReadStream(path, { encoding: 'utf8' });
    const opened = new Promise<void>((res, rej) => {
      input.once('open', () => res());
      input.once('error', (e: NodeJS.ErrnoException) =>
        rej(new CliError(`cannot read ${path}: ${e.code ?? e.message}`)),
      );
    });
    await opened;
    const lines = createInterface({ input, crlfDelay: Infinity });
    let n = 0;
    try {
      for await (const line of lines) if (!replayer.push(line, ++n)) break;
    } finally {
      lines.close();
      input.destroy();
    }
    const r = replayer.result();
    const matches = expect === undefined ? undefined : r.hash === expect;
    if (ctx.format === 'json') {
      ctx.print(json(stateJson(r.state, r.hash, { events: r.events, ...(matches !== undefined ? { matches } : {}) })));
    } else {
      const extra: [string, string][] = [['events', `${r.events} from ${file}`]];
      if (matches !== undefined)
        extra.push(['expected', matches ? `${expect} (matches)` : `${dash(expect)} (DOES NOT MATCH)`]);
      ctx.print(stateSummary(r.state, r.hash, extra));
    }
    if (matches === false) {
      ctx.io.stderr.write(`cairn: the replayed state hash ${r.hash} at seq ${r.seq} is not the expected ${expect}\n`);
      return 1;
    }
    return 0;
  },
};

export const audit: Group = {
  name: 'audit',
  summary: 'the state at a past seq or time, why replicas are where they are, verify, export and offline replay',
  commands: [state, explain, verify, exportCmd, replayCmd],
};

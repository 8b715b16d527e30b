// audit export and audit replay: the export holds exactly what a replay needs to give the live hash.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  applyEvent,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  replay,
  SCHEMA_VERSION,
  seal,
  stateHash,
  toCanonical,
} from '@cairn/metadata';
import type { CairnEvent } from '@cairn/metadata';
import { CliError } from '../src/errors.js';
import { exportLine, replayText } from '../src/replay.js';
import { cairn } from './support.js';
import { sampleLog } from './events-fixture.js';

let dir = '';
const t = suite('replay');
t.before.each(() => void (dir = mkdtempSync(join(tmpdir(), 'cairn-cli-replay-'))));
t.after.each(() => rmSync(dir, { recursive: true, force: true }));

const liveHash = (evs: CairnEvent[]) => stateHash(replay(emptyState(), evs));
const exportOf = (evs: CairnEvent[]) => evs.map(exportLine).join('');

function cliError(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, CliError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a CliError matching ${re}`);
}

t('an export line is the decoded event as JSON, without null fields', () => {
  const [first] = sampleLog();
  const line = exportLine(first!);
  assert.ok(line.endsWith('}\n'));
  assert.not.match(line, /null/);
  const o = JSON.parse(line) as Record<string, unknown>;
  assert.is(o['seq'], 1);
  assert.is(o['payload'], 'nodeRegistered');
  assert.equal(o['nodeRegistered'], {
    nodeId: 'node-1',
    address: '127.0.0.1:9501',
    zone: 'zone-a',
    tags: ['ssd'],
    hostname: 'node-1',
  });
});

t('events of a hashed log export their chain hash in base64 and replay to the same hash', () => {
  let prev: Buffer | null = null;
  const sealed = sampleLog().map((ev) => {
    const s = seal(encodeEvent({ ...ev, chainHash: undefined }), prev);
    prev = s.hash;
    return decodeEvent(s.bytes, ev.seq);
  });
  const o = JSON.parse(exportLine(sealed[0]!)) as Record<string, unknown>;
  assert.is(o['chainHash'], sealed[0]!.chainHash.toString('base64'), 'the hash as base64, not an array of numbers');
  assert.is(replayText(exportOf(sealed), 'x.jsonl').hash, liveHash(sealed));
});

t('a replay of an export gives the same state and hash as applying the events', () => {
  const evs = sampleLog();
  const r = replayText(exportOf(evs), 'x.jsonl');
  assert.is(r.seq, evs.length);
  assert.is(r.events, evs.length);
  assert.is(r.hash, liveHash(evs));
  assert.equal(toCanonical(r.state), toCanonical(replay(emptyState(), sampleLog())));
});

t('--to stops at a seq: the state as it was then', () => {
  const evs = sampleLog();
  const r = replayText(exportOf(evs), 'x.jsonl', 10);
  assert.is(r.seq, 10);
  assert.is(r.hash, liveHash(evs.slice(0, 10)));
  cliError(() => replayText(exportOf(evs.slice(0, 5)), 'x.jsonl', 10), /x\.jsonl: ends at seq 5, before seq 10/);
});

t('refuses gaps, a late start, garbage and unknown schema versions, naming the line', () => {
  const evs = sampleLog();
  cliError(() => replayText(exportOf([evs[0]!, evs[2]!]), 'x'), /^x:2: seq 3 follows seq 1; the export has a gap/);
  cliError(
    () => replayText(exportOf(evs.slice(3)), 'x'),
    /^x:1: the export starts at seq 4; a replay needs the log from seq 1/,
  );
  cliError(() => replayText(exportLine(evs[0]!) + '{oops\n', 'x'), /^x:2: not valid JSON/);
  cliError(() => replayText('[1,2]\n', 'x'), /^x:1: not an event object/);
  cliError(() => replayText('{"payload":"nodeUp"}\n', 'x'), /^x:1: no valid "seq"/);
  const future = JSON.stringify({ ...JSON.parse(exportLine(evs[0]!)), schemaVersion: SCHEMA_VERSION + 1 }) + '\n';
  cliError(() => replayText(future, 'x'), /^x:1: event at seq 1 has unknown type or schema: schema version 2/);
  const unknown =
    JSON.stringify({
      seq: 1,
      timeMs: 1,
      actor: 'a',
      cause: '',
      schemaVersion: SCHEMA_VERSION,
      payload: 'volumeTeleported',
      volumeTeleported: {},
    }) + '\n';
  cliError(() => replayText(unknown, 'x'), /^x:1: event at seq 1 has unknown type or schema/);
  // Blank lines (a trailing newline, an editor's) are fine.
  assert.is(replayText('\n' + exportOf(evs) + '\n\n', 'x').seq, evs.length);
});

t('cairn audit export writes the stream as JSON lines and names the hash at its last seq', async () => {
  const evs = sampleLog();
  const file = join(dir, 'log.jsonl');
  const hash = liveHash(evs);
  const r = await cairn(['audit', 'export', file], {
    watchEvents: async function* (req) {
      assert.equal(req, { fromSeq: 1, follow: false });
      yield* sampleLog();
    },
    auditState: async (req) => {
      assert.equal(req, { atSeq: evs.length });
      return { seq: evs.length, hash, stateJson: '' };
    },
  });
  assert.is(r.code, 0, r.err);
  assert.is(
    r.out,
    `exported ${evs.length} events (seq 1..${evs.length}) to ${file}\nstate hash at seq ${evs.length}: ${hash}\n`,
  );
  assert.is(readFileSync(file, 'utf8'), exportOf(evs));
  assert.not.ok(existsSync(`${file}.tmp`));

  const rep = await cairn(['audit', 'replay', file, '-o', 'json']);
  assert.is(rep.code, 0, rep.err);
  const j = JSON.parse(rep.out) as { seq: number; hash: string; events: number; state: unknown };
  assert.is(j.seq, evs.length);
  assert.is(j.hash, hash);
  assert.is(j.events, evs.length);
  assert.equal(j.state, JSON.parse(JSON.stringify(toCanonical(replay(emptyState(), evs)))));

  const table = await cairn(['audit', 'replay', file, '--expect', hash]);
  assert.is(table.code, 0);
  assert.match(table.out, new RegExp(`^seq:\\s+${evs.length}$`, 'm'));
  assert.match(table.out, new RegExp(`^hash:\\s+${hash}$`, 'm'));
  assert.match(table.out, /^expected:\s+\w+ \(matches\)$/m);
  assert.match(table.out, /^vol-a\s+20Mi\s+attached \(node-1\)\s+degraded\s+3\/3\s+node-1,node-2,node-3$/m);
  assert.match(table.out, /^node-3\s+zone-c\s+down/m);

  const wrong = await cairn(['audit', 'replay', file, '--expect', 'abc']);
  assert.is(wrong.code, 1);
  assert.match(wrong.err, /^cairn: the replayed state hash \w+ at seq \d+ is not the expected abc\n$/);
});

t('audit replay needs no manager and no cluster.json', async () => {
  const file = join(dir, 'log.jsonl');
  writeFileSync(file, exportOf(sampleLog()));
  const r = await cairn(['audit', 'replay', file, '--to', '3'], {}, { CAIRN_ENDPOINT: '', CAIRN_TOKEN: '' });
  assert.is(r.code, 0, r.err);
  assert.is(r.calls.length, 0);
  assert.match(r.out, /^seq:\s+3$/m);
  const missing = await cairn(['audit', 'replay', join(dir, 'nope.jsonl')]);
  assert.is(missing.code, 1);
  assert.match(missing.err, /^cairn: cannot read .*nope\.jsonl: ENOENT\n$/);
});

t('an export refuses a stream with a gap and leaves no partial file', async () => {
  const evs = sampleLog();
  const file = join(dir, 'log.jsonl');
  const r = await cairn(['audit', 'export', file], {
    watchEvents: async function* () {
      yield evs[0]!;
      yield evs[2]!;
    },
  });
  assert.is(r.code, 1);
  assert.is(r.err, 'cairn: the log stream skipped from seq 1 to 3; export aborted\n');
  assert.not.ok(existsSync(file));
  assert.not.ok(existsSync(`${file}.tmp`));
});

t('export to standard output keeps the summary on stderr', async () => {
  const evs = sampleLog().slice(0, 2);
  const r = await cairn(['audit', 'export', '-'], {
    watchEvents: async function* () {
      yield* evs;
    },
    auditState: async () => ({ seq: 2, hash: 'h', stateJson: '' }),
  });
  assert.is(r.code, 0);
  assert.is(r.out, exportOf(evs));
  assert.match(r.err, /exported 2 events/);
});

t('the projection used here is the metadata one (sanity: applyEvent accepts what replay feeds it)', () => {
  const s = emptyState();
  for (const ev of sampleLog()) applyEvent(s, ev);
  assert.is(s.seq, sampleLog().length);
});

t('the binary writes all of a large -o json answer to a pipe before it exits', async () => {
  // 3,000 volumes: the state printed is well over a pipe's 64 KiB buffer. Exiting with writes
  // still queued cut it at 65,536 bytes.
  const evs: CairnEvent[] = [];
  for (let i = 1; i <= 3000; i++) {
    const seq = i;
    evs.push(
      decodeEvent(
        encodeEvent({
          ...draft.volumeCreated(`volume-${String(i).padStart(5, '0')}`, { size: 2 ** 30 }),
          seq,
          timeMs: 1,
          actor: 't',
          schemaVersion: SCHEMA_VERSION,
        }),
        seq,
      ),
    );
  }
  const file = join(dir, 'big.jsonl');
  writeFileSync(file, exportOf(evs));
  const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [main, 'audit', 'replay', file, '-o', 'json'], {
    maxBuffer: 64 * 2 ** 20,
  });
  assert.ok(stdout.length > 256 * 1024, `only ${stdout.length} bytes`);
  const out = JSON.parse(stdout) as { seq: number; state: { volumes: unknown[] } };
  assert.is(out.seq, 3000);
  assert.is(out.state.volumes.length, 3000);
});

t.run();

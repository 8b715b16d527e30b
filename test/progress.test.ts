// Progress of a real rebuild in the CLI, end to end on `cairn up --nodes 3`: a one-replica volume
// is attached and filled with data, then given a second replica (rebuilt from the first) while
// `cairn volume attach --wait` follows it. With stdout a pipe it prints plain milestone lines with
// rising percentages and no escape codes; under a real pseudo-terminal (util-linux `script`) a
// third replica's rebuild is drawn as a bar redrawn in place. A copy of the volume (a data source)
// is said when it starts and when it is done.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CAIRN, eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
// Enough data that a rebuild takes seconds on loopback (only written blocks are copied).
const SIZE = 128 * MiB;
let c: TestCluster;
const t = suite('progress of a rebuild in the CLI (end to end)');

let testStarted = 0;
t.before(async () => {
  c = await startCluster(3);
});
t.before.each(() => {
  testStarted = Date.now();
});
t.after.each(() => {
  console.log(`  (${Date.now() - testStarted} ms)`);
});
t.after(async () => {
  await c?.down();
});

const cluster = () => ['--cluster', join(c.dir, 'cluster.json')];
const volume = () => c.call('GetVolume', { name: 'pv' });
const running = async (n: number) =>
  eventually(
    `${n} replica(s) of pv running`,
    60_000,
    async () => (await volume()).replicas.filter((r) => r.state === 'running').length === n,
  );
/** Detaches pv, asks for `n` replicas and waits until the new one is placed (not yet rebuilt). */
async function grow(n: number): Promise<void> {
  const d = await c.cairn(['volume', 'detach', 'pv', ...cluster()]);
  assert.is(d.code, 0, d.stderr);
  await eventually('pv detached', 30_000, async () => (await volume()).state === 'detached');
  const up = await c.cairn(['volume', 'update', 'pv', '--replicas', String(n), ...cluster()]);
  assert.is(up.code, 0, up.stderr);
  await eventually(`a replica #${n} of pv placed`, 30_000, async () => (await volume()).replicas.length === n);
}

/** The escape character, which starts a terminal's control sequences. */
const ESC = '\u001b';
/** A control sequence (a redraw in place). */
const ESCAPE = new RegExp(`${ESC}\\[`);
/** An escape character or a carriage return: what a redraw in place is made of. */
const ESCAPE_OR_CR = new RegExp(`[${ESC}\r]`);
const LINE = /^rebuilding replica (\S+) on (node-\d): (\d+)%$/;

t('cairn up said each start-up step with its outcome and time, before the cluster was up', () => {
  const lines = c.upOutput.split('\n');
  const steps = [
    'issuing etcd certificates',
    'starting etcd (1 member, TLS)',
    'issuing the cluster PKI (CA, manager and 3 node certificates)',
    'starting manager-1',
    'starting 3 nodes (registered with their disks)',
  ];
  const at = steps.map((s) =>
    lines.findIndex((l) => l.startsWith(`${s}: done (`) && /: done \((\d+\.\d s|\d+ min \d+ s)\)$/.test(l)),
  );
  assert.ok(
    at.every((i) => i >= 0),
    `every step's line, in:\n${c.upOutput}`,
  );
  assert.equal(
    [...at].sort((a, b) => a - b),
    at,
    'in the order they ran',
  );
  assert.ok(at.at(-1)! < lines.findIndex((l) => l.startsWith('cairn is up: ')), 'before "cairn is up"');
});

t('volume attach --wait with stdout a pipe: plain milestone lines with rising percentages, then done', async () => {
  const r0 = Date.now();
  const created = await c.cairn([
    'volume',
    'create',
    'pv',
    '--size',
    `${SIZE / MiB}Mi`,
    '--replicas',
    '1',
    '--wait',
    ...cluster(),
  ]);
  assert.is(created.code, 0, created.stderr);
  const att = await c.cairn(['volume', 'attach', 'pv', '--node', 'node-1', '-o', 'json', ...cluster()]);
  assert.is(att.code, 0, att.stderr);
  const uri = JSON.parse(att.stdout).nbd as string;
  writeFileSync(join(c.dir, 'data.bin'), randomBytes(SIZE));
  await run('nbdcopy', [join(c.dir, 'data.bin'), uri], { timeout: 60_000 });
  const written = Date.now();

  // Detached, the new replica is placed but not rebuilt (no offline rebuilding by default): the
  // attach below starts the engine, which rebuilds it while the CLI watches from the start.
  await grow(2);
  const w = await c.cairn(['volume', 'attach', 'pv', '--node', 'node-1', '--wait', ...cluster()]);
  const took = Date.now() - written;
  assert.is(w.code, 0, w.stderr);
  assert.match(w.stdout, /^volume "pv" attached to node-1: nbd/);
  assert.not.match(w.stderr, ESCAPE_OR_CR, 'no escape codes or carriage returns off a terminal');
  const lines = w.stderr.trimEnd().split('\n');
  const figures = lines.map((l) => LINE.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  // The engine reports a rebuild after each 64 MiB window of each layer: 128 MiB of data read
  // 0%, 25%, 50% (the snapshot layer), then the head. At least two rising figures, one midway.
  const percents = figures.map((m) => Number(m[3]));
  assert.ok(
    percents.length >= 2 && percents.some((p) => p > 0 && p < 100),
    `milestone lines of the rebuild with a figure midway, got:\n${w.stderr}`,
  );
  for (let i = 1; i < percents.length; i++)
    assert.ok(percents[i]! > percents[i - 1]!, `percentages rise: ${percents.join(', ')}`);
  const replica = figures[0]![1]!;
  assert.ok(
    figures.every((m) => m[1] === replica),
    'one replica rebuilt',
  );
  assert.match(lines.at(-1)!, new RegExp(`^rebuilding replica ${replica} on node-\\d: done in \\d+\\.\\d s$`));
  assert.ok(lines.length <= 14, `a bounded number of lines (every 10%), got ${lines.length}`);
  const v = await volume();
  assert.is(v.robustness, 'healthy');
  assert.ok(v.replicas.find((x) => x.id === replica)?.state === 'running');
  console.log(
    `  rebuild of ${SIZE / MiB} MiB followed in ${took} ms with ${lines.length} lines: ${percents.join('% ')}% (setup ${written - r0} ms)`,
  );
});

t('volume attach --wait under a pseudo-terminal: a bar redrawn in place as the rebuild goes', async () => {
  await running(2);
  await grow(3);
  const started = Date.now();
  const cmd =
    'stty cols 200 rows 40; exec ' +
    [process.execPath, CAIRN, 'volume', 'attach', 'pv', '--node', 'node-1', '--wait', ...cluster()]
      .map((a) => `'${a}'`)
      .join(' ');
  const { stdout: screen } = await run('script', ['-qfec', cmd, '/dev/null'], {
    cwd: c.dir,
    timeout: 180_000,
    env: { ...process.env, TERM: 'xterm' },
  });
  assert.match(screen, /volume "pv" attached to node-1: nbd/);
  assert.match(screen, ESCAPE, 'escape codes: drawn in place');
  // Each redraw is one frame: "rebuilding replica R on node-N [bar] status".
  const frames = [
    ...screen.matchAll(/rebuilding replica (\S+) on node-\d \[([█░]{20})\] (\d+%|done in (?:[\d.]+ s|\d+ min \d+ s))/g),
  ];
  const statuses = frames.map((m) => m[3]!);
  const percents = [...new Set(statuses.filter((s) => s.endsWith('%')).map((s) => Number(s.slice(0, -1))))];
  assert.ok(
    percents.length >= 2 && percents.some((p) => p > 0 && p < 100),
    `the bar was redrawn with rising figures, one midway, got ${JSON.stringify(statuses)}`,
  );
  for (let i = 1; i < percents.length; i++)
    assert.ok(percents[i]! > percents[i - 1]!, `figures rise: ${percents.join(', ')}`);
  assert.match(
    statuses.at(-1)!,
    /^done in /,
    `the final frame says done; the screen ended:\n${JSON.stringify(screen.slice(-1500))}`,
  );
  assert.is((await volume()).robustness, 'healthy');
  console.log(
    `  pty: rebuild followed in ${Date.now() - started} ms, ${frames.length} frames, figures ${percents.join('% ')}%, last ${statuses.at(-1)}`,
  );
});

t('a data-source copy (no figure in the API) is said when it starts and when it is done, with its time', async () => {
  // A small source: what is checked is what the CLI says about the copy, not how fast it is.
  const src = await c.cairn(['volume', 'create', 'src', '--size', '16Mi', '--replicas', '1', '--wait', ...cluster()]);
  assert.is(src.code, 0, src.stderr);
  const made = await c.cairn([
    'volume',
    'create',
    'copy',
    '--size',
    '16Mi',
    '--replicas',
    '1',
    '--data-source',
    'vol://src',
    '--wait',
    ...cluster(),
  ]);
  assert.is(made.code, 0, made.stderr);
  const a = await c.cairn(['volume', 'attach', 'copy', '--node', 'node-2', ...cluster()]);
  assert.is(a.code, 0, a.stderr);
  assert.match(a.stdout, /^volume "copy" attached to node-2: nbd/);
  const lines = a.stderr.trimEnd().split('\n');
  assert.is(lines[0], 'copying vol://src into copy: started', a.stderr);
  assert.match(lines.at(-1)!, /^copying vol:\/\/src into copy: done in \d+\.\d s$/);
  assert.ok(
    lines.slice(1, -1).every((l) => /: still running after /.test(l)),
    a.stderr,
  );
  assert.is((await c.call('GetVolume', { name: 'copy' })).dataSourceReady, true);
  console.log(`  copy: ${lines.at(-1)}`);
});

t("backup create --wait through a pipe: the upload's milestones, then done", async () => {
  const target = join(c.dir, 'backups');
  mkdirSync(target);
  const set = await c.cairn(['backup', 'target', 'set', `file://${target}`, ...cluster()]);
  assert.is(set.code, 0, set.stderr);
  const b = await c.cairn(['backup', 'create', 'pv', '--wait', ...cluster()]);
  assert.is(b.code, 0, b.stderr);
  assert.match(b.stdout, /^state:\s+completed$/m);
  assert.not.match(b.stderr, ESCAPE_OR_CR);
  const lines = b.stderr.trimEnd().split('\n');
  const name = /^backup (backup-[0-9a-f]+) of pv: /.exec(lines[0]!)?.[1];
  assert.ok(name, b.stderr);
  const percents = lines
    .slice(0, -1)
    .map((l) => Number(new RegExp(`^backup ${name} of pv: (\\d+)%$`).exec(l)?.[1] ?? NaN));
  assert.ok(percents.length >= 1 && percents.every((p) => !Number.isNaN(p)), b.stderr);
  for (let i = 1; i < percents.length; i++)
    assert.ok(percents[i]! > percents[i - 1]!, `percentages rise: ${percents.join(', ')}`);
  assert.match(lines.at(-1)!, new RegExp(`^backup ${name} of pv: done in \\d+\\.\\d s$`));
  console.log(`  backup: ${percents.join('% ')}%, ${lines.at(-1)}`);
});

t.run();

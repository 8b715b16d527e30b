// Progress for long work: the pure plan (readings -> milestone lines and bar states), the readings
// of volumes and backups, where progress goes (stderr; lines off a terminal; none with -o json), and
// the commands that wait (volume attach --wait, volume create --wait, backup create --wait) run
// in-process against a fake admin API that answers a scripted sequence of views.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import type { Backup__Output, Volume__Output } from '@cairn/api';
import { elapsed, ProgressPlan, stepLine } from '../src/progress.js';
import type { Reading } from '../src/progress.js';
import { backupReading, volumeReadings, volumeSettled } from '../src/progress-readings.js';
import { progressMode, progressView, step } from '../src/progress-view.js';
import { bufferIo } from '../src/io.js';
import { textBar } from '../src/output.js';
import { volumeDetail } from '../src/commands/volume.js';
import { cairn, volume } from './support.js';

/** The escape character, which starts a terminal's control sequences. */
const ESC = '\u001b';
/** A control sequence (a redraw in place). */
const ESCAPE = new RegExp(`${ESC}\\[`);
/** An escape character or a carriage return: what a redraw in place is made of. */
const ESCAPE_OR_CR = new RegExp(`[${ESC}\r]`);

const t = suite('progress');

const rebuild = (percent: number, state: Reading['state'] = 'running'): Reading => ({
  key: 'rebuild/r-2',
  label: 'rebuilding replica r-2 on node-3',
  state,
  percent,
});

t('the plan prints a line when a task starts, one per 10% step it enters, and one when it ends', () => {
  const plan = new ProgressPlan();
  const lines: string[] = [];
  const seen = [0, 3, 9, 10, 14, 35, 36, 99];
  seen.forEach((p, i) => lines.push(...plan.next(i * 1000, [rebuild(p)]).lines));
  lines.push(...plan.next(12_500, [rebuild(100, 'done')]).lines);
  assert.equal(lines, [
    'rebuilding replica r-2 on node-3: 0%',
    'rebuilding replica r-2 on node-3: 10%',
    'rebuilding replica r-2 on node-3: 35%',
    'rebuilding replica r-2 on node-3: 99%',
    'rebuilding replica r-2 on node-3: done in 12.5 s',
  ]);
  assert.not.ok(plan.running);
  // Ended: later readings of the same key say nothing more.
  assert.equal(plan.next(13_000, [rebuild(100, 'done')]).lines, []);
});

t('the plan says "still" at most once per quiet period, and never shows a figure going back', () => {
  const plan = new ProgressPlan({ quietMs: 10_000 });
  const lines: string[] = [];
  for (let s = 0; s <= 25; s++) lines.push(...plan.next(s * 1000, [rebuild(s === 7 ? 2 : 42)]).lines);
  assert.equal(lines, [
    'rebuilding replica r-2 on node-3: 42%',
    'rebuilding replica r-2 on node-3: still at 42% after 10.0 s',
    'rebuilding replica r-2 on node-3: still at 42% after 20.0 s',
  ]);
  assert.is(plan.next(26_000, [rebuild(5)]).bars[0]!.percent, 42);
});

t('work without a figure (a data-source copy) starts, stays quiet, and ends with its time', () => {
  const plan = new ProgressPlan({ quietMs: 5000 });
  const copy = (state: Reading['state']): Reading => ({
    key: 'copy',
    label: 'copying vol://src into dst',
    state,
    percent: null,
  });
  const out = [0, 1000, 5000, 6000].flatMap((ms) => plan.next(ms, [copy('running')]).lines);
  assert.equal(out, ['copying vol://src into dst: started', 'copying vol://src into dst: still running after 5.0 s']);
  const end = plan.next(7200, [copy('done')]);
  assert.equal(end.lines, ['copying vol://src into dst: done in 7.2 s']);
  assert.equal(end.bars, [
    {
      key: 'copy',
      label: 'copying vol://src into dst',
      state: 'done',
      percent: 100,
      status: 'done in 7.2 s',
      elapsedMs: 7200,
    },
  ]);
});

t('a failure is said with its reason; work first seen already over is not news', () => {
  const plan = new ProgressPlan();
  assert.equal(
    plan.next(0, [rebuild(100, 'done'), { key: 'rebuild/r-9', label: 'x', state: 'failed', percent: null }]).lines,
    [],
  );
  plan.next(0, [rebuild(20)]);
  const f = plan.next(3000, [{ ...rebuild(0, 'failed'), detail: 'source replica lost' }]);
  assert.equal(f.lines, ['rebuilding replica r-2 on node-3: failed: source replica lost']);
  assert.is(f.bars[0]!.status, 'failed: source replica lost');
  // The same key running again is a new task (a second rebuild).
  assert.equal(plan.next(4000, [rebuild(0)]).lines, ['rebuilding replica r-2 on node-3: 0%']);
});

t('bar states keep every task seen, in order, with its status', () => {
  const plan = new ProgressPlan();
  plan.next(0, [
    rebuild(10),
    { key: 'rebuild/r-3', label: 'rebuilding replica r-3 on node-1', state: 'running', percent: 0 },
  ]);
  const f = plan.next(2000, [rebuild(55)]);
  assert.equal(
    f.bars.map((b) => [b.key, b.percent, b.status, b.elapsedMs]),
    [
      ['rebuild/r-2', 55, '55%', 2000],
      ['rebuild/r-3', 0, '0%', 2000],
    ],
  );
});

t('elapsed times and step lines read as people write them', () => {
  assert.is(elapsed(400), '0.4 s');
  assert.is(elapsed(125_000), '2 min 5 s');
  assert.is(elapsed(3_720_000), '1 h 2 min');
  assert.is(
    stepLine('starting etcd (1 member, TLS)', { ok: true }, 812),
    'starting etcd (1 member, TLS): done (0.8 s)',
  );
  assert.is(
    stepLine('starting node-1', { ok: false, error: 'node-1 exited' }, 2000),
    'starting node-1: failed after 2.0 s: node-1 exited',
  );
});

t('step() prints done or failed with the time, and passes the result or the error on', async () => {
  const lines: string[] = [];
  let clock = 0;
  const now = () => clock;
  assert.is(
    await step(
      (l) => lines.push(l),
      'issuing the cluster PKI',
      async () => {
        clock += 1500;
        return 7;
      },
      now,
    ),
    7,
  );
  await step(
    (l) => lines.push(l),
    'starting manager-1',
    async () => {
      clock += 500;
      throw new Error('manager-1 exited');
    },
    now,
  ).then(
    () => assert.unreachable('the step failed'),
    (e: Error) => assert.is(e.message, 'manager-1 exited'),
  );
  assert.equal(lines, [
    'issuing the cluster PKI: done (1.5 s)',
    'starting manager-1: failed after 0.5 s: manager-1 exited',
  ]);
});

const rebuilding = (p: number) => ({
  id: 'vol-a-r3',
  node: 'node-3',
  disk: 'disk-1',
  state: 'rebuilding',
  address: '',
  trigger: 'replenish',
  failedReason: '',
  rebuildProgress: p,
});

t("a volume's readings: rebuilding replicas, a copy without a figure, a restore", () => {
  const v = volume({
    dataSource: 'vol://src',
    dataSourceReady: false,
    restore: {
      backup: 'file:///b?backup=x&volume=v',
      restored: '',
      state: 'restoring',
      error: '',
      standby: false,
      activating: false,
      progress: 30,
    },
  });
  v.replicas[2] = rebuilding(40);
  assert.equal(
    volumeReadings(v).filter((r) => r.state === 'running'),
    [
      { key: 'rebuild/vol-a-r3', label: 'rebuilding replica vol-a-r3 on node-3', state: 'running', percent: 40 },
      { key: 'copy', label: 'copying vol://src into vol-a', state: 'running', percent: null },
      {
        key: 'restore/file:///b?backup=x&volume=v',
        label: 'restoring vol-a from file:///b?backup=x&volume=v',
        state: 'running',
        percent: 30,
      },
    ],
  );
  assert.not.ok(volumeSettled({ ...v, state: 'attached', endpoint: 'nbd://x' }));
  assert.ok(volumeSettled(volume({ state: 'attached', endpoint: 'nbd://x' })));
  const kept = volume({ state: 'attached', endpoint: 'nbd://x' });
  kept.replicas.push({ ...kept.replicas[0]!, id: 'vol-a-r0', state: 'failed', failedReason: 'node-4 down' });
  assert.ok(volumeSettled(kept), 'a failed replica kept for reuse does not hold the wait');
  assert.not.ok(volumeSettled({ ...kept, robustness: 'degraded' }));
});

const backup = (o: Partial<Backup__Output>): Backup__Output =>
  ({
    name: 'backup-1',
    volume: 'bv',
    snapshot: 's1',
    url: 'file:///t?backup=backup-1&volume=bv',
    state: 'running',
    size: 0,
    progress: 0,
    blocks: 0,
    uploadedBlocks: 0,
    uploadedBytes: 0,
    nodeId: 'node-1',
    createdMs: 0,
    error: '',
    labels: {},
    ...o,
  }) as unknown as Backup__Output;

t("a backup's reading follows its state", () => {
  assert.equal(backupReading(backup({ progress: 25 })), {
    key: 'backup/file:///t?backup=backup-1&volume=bv',
    label: 'backup backup-1 of bv',
    state: 'running',
    percent: 25,
  });
  assert.is(backupReading(backup({ state: 'completed', progress: 100 })).state, 'done');
  assert.equal(backupReading(backup({ state: 'failed', error: 'target gone' })).detail, 'target gone');
});

t('progress goes to stderr: bars only when stdout and stderr are terminals, nothing with -o json', () => {
  const tty = { write: () => true, isTTY: true };
  const io = bufferIo();
  assert.is(progressMode(io, 'table'), 'lines');
  assert.is(progressMode(io, 'json'), 'off');
  assert.is(progressMode({ ...io, stdout: tty, stderr: tty }, 'table'), 'bars');
  assert.is(progressMode({ ...io, stdout: tty, stderr: tty }, 'json'), 'off');
  assert.is(progressMode({ ...io, stdout: io.stdout, stderr: tty }, 'table'), 'lines');
  assert.is(progressMode({ ...io, stdout: tty, stderr: tty, env: { TERM: 'dumb' } }, 'table'), 'lines');
});

t('on a terminal the bars are drawn with cli-progress and left in their final state', async () => {
  let drawn = '';
  const stream = Object.assign(
    new Writable({
      write(c, _e, cb) {
        drawn += String(c);
        cb();
      },
    }),
    { isTTY: true, columns: 120 },
  );
  const io = { ...bufferIo(), stdout: stream, stderr: stream };
  let clock = 0;
  const view = progressView(io, 'table', { now: () => clock });
  for (const p of [0, 30, 60]) {
    view.update([rebuild(p)]);
    clock += 1000;
    await new Promise((r) => setTimeout(r, 150));
  }
  view.update([rebuild(100, 'done')]);
  view.stop();
  assert.match(drawn, ESCAPE, 'redrawn in place with escape codes');
  assert.match(drawn, /rebuilding replica r-2 on node-3 \[[█░]{20}\] 30%/);
  assert.match(drawn, /rebuilding replica r-2 on node-3 \[█{20}\] done in 3\.0 s/);
});

t('on a terminal, a wait that saw no long work draws nothing at all', () => {
  let drawn = '';
  const stream = Object.assign(
    new Writable({
      write(c, _e, cb) {
        drawn += String(c);
        cb();
      },
    }),
    { isTTY: true, columns: 120 },
  );
  const view = progressView({ ...bufferIo(), stdout: stream, stderr: stream }, 'table');
  view.update(volumeReadings(volume({ state: 'attached', endpoint: 'nbd://x' })));
  view.stop();
  assert.is(drawn, '');
});

t('volume get draws a bar for each rebuilding replica, and no PROGRESS column otherwise', () => {
  assert.is(textBar(40, 10), '[####......]');
  assert.is(textBar(140, 4), '[####]');
  const v = volume();
  assert.not.match(volumeDetail(v), /PROGRESS/);
  v.replicas[2] = rebuilding(40);
  assert.match(volumeDetail(v), /^REPLICA .*FAILED\s+PROGRESS$/m);
  assert.match(
    volumeDetail(v),
    /^vol-a-r3\s+node-3\s+disk-1\s+rebuilding 40%\s+replenish\s+-\s+-\s+\[########\.{12}\]$/m,
  );
});

/** getVolume answers these views in turn (the last one again after that). */
function views(vs: Volume__Output[]) {
  let i = 0;
  return async () => vs[Math.min(i++, vs.length - 1)]!;
}

const attached = (o: Partial<Volume__Output>) =>
  volume({ state: 'attached', attachedTo: 'node-1', endpoint: 'nbd+unix:///vol-a?socket=/s', ...o });
function degraded(p: number): Volume__Output {
  const v = attached({ robustness: 'degraded' });
  v.replicas[2] = rebuilding(p);
  return v;
}

t('volume attach --wait follows the rebuilds until healthy, as plain lines on stderr off a terminal', async () => {
  const r = await cairn(['volume', 'attach', 'vol-a', '--node', 'node-1', '--wait'], {
    attachVolume: async () => volume({ state: 'attaching', attachedTo: 'node-1' }),
    getVolume: views([degraded(0), degraded(12), degraded(12), degraded(57), degraded(100), attached({})]),
  });
  assert.is(r.code, 0, r.err);
  assert.is(r.out, 'volume "vol-a" attached to node-1: nbd+unix:///vol-a?socket=/s\n');
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.slice(0, -1), [
    'rebuilding replica vol-a-r3 on node-3: 0%',
    'rebuilding replica vol-a-r3 on node-3: 12%',
    'rebuilding replica vol-a-r3 on node-3: 57%',
    'rebuilding replica vol-a-r3 on node-3: 100%',
  ]);
  assert.match(lines.at(-1)!, /^rebuilding replica vol-a-r3 on node-3: done in \d+\.\d s$/);
  assert.not.match(r.err, ESCAPE_OR_CR);
});

t('volume attach without --wait does not follow rebuilds (it does not wait for them): nothing about them', async () => {
  const r = await cairn(['volume', 'attach', 'vol-a', '--node', 'node-1'], {
    attachVolume: async () => degraded(30),
    getVolume: async () => degraded(40),
  });
  assert.is(r.code, 0, r.err);
  assert.is(r.err, '');
});

t('volume attach -o json prints the JSON alone: no progress anywhere', async () => {
  const r = await cairn(['volume', 'attach', 'vol-a', '--node', 'node-1', '--wait', '-o', 'json'], {
    attachVolume: async () => degraded(5),
    getVolume: views([degraded(50), attached({})]),
  });
  assert.is(r.code, 0, r.err);
  assert.is(r.err, '');
  assert.is(JSON.parse(r.out).nbd, 'nbd+unix:///vol-a?socket=/s');
});

t('volume attach --wait says a faulted volume instead of waiting on it; --wait with --no-wait is refused', async () => {
  const faulted = attached({ robustness: 'faulted' });
  faulted.replicas = faulted.replicas.map((x) => ({ ...x, state: 'failed' }));
  const r = await cairn(['volume', 'attach', 'vol-a', '--node', 'node-1', '--wait'], {
    attachVolume: async () => faulted,
    getVolume: async () => faulted,
  });
  assert.is(r.code, 1);
  assert.match(r.err, /volume "vol-a" is faulted/);
  const both = await cairn(['volume', 'attach', 'vol-a', '--node', 'node-1', '--wait', '--no-wait']);
  assert.is(both.code, 2);
});

t('volume create --from-backup --wait follows the restore until it completed', async () => {
  const url = 'file:///t?backup=backup-1&volume=bv';
  const restoring = (progress: number): Volume__Output =>
    volume({
      restore: {
        backup: url,
        restored: '',
        state: 'restoring',
        error: '',
        standby: false,
        activating: false,
        progress,
      },
    });
  const r = await cairn(['volume', 'create', 'vol-a', '--from-backup', url, '--wait'], {
    createVolume: async () => restoring(0),
    getVolume: views([
      restoring(20),
      restoring(70),
      volume({
        restore: {
          backup: url,
          restored: url,
          state: 'completed',
          error: '',
          standby: false,
          activating: false,
          progress: 100,
        },
      }),
    ]),
  });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^volume "vol-a" created/);
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.slice(0, 3), [
    `restoring vol-a from ${url}: 0%`,
    `restoring vol-a from ${url}: 20%`,
    `restoring vol-a from ${url}: 70%`,
  ]);
  assert.match(lines[3]!, /: done in \d+\.\d s$/);
});

t("backup create --wait shows the upload's progress and exits 1 when the backup failed", async () => {
  const ok = await cairn(['backup', 'create', 'bv', '--wait'], {
    createBackup: async () => backup({ state: 'pending' }),
    getBackup: (() => {
      const bs = [backup({ progress: 40 }), backup({ progress: 90 }), backup({ state: 'completed', progress: 100 })];
      let i = 0;
      return async () => bs[Math.min(i++, 2)]!;
    })(),
  });
  assert.is(ok.code, 0, ok.err);
  assert.match(
    ok.err,
    /^backup backup-1 of bv: 0%\nbackup backup-1 of bv: 40%\nbackup backup-1 of bv: 90%\nbackup backup-1 of bv: done in \d+\.\d s\n$/,
  );
  const failed = await cairn(['backup', 'create', 'bv', '--wait'], {
    createBackup: async () => backup({ progress: 10 }),
    getBackup: async () => backup({ state: 'failed', error: 'target unreachable' }),
  });
  assert.is(failed.code, 1);
  assert.match(failed.err, /backup backup-1 of bv: failed: target unreachable/);
});

t.run();

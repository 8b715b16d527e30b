// Recurring jobs on a real cluster (`cairn up`, 2 managers, 2 nodes): a snapshot job with a
// seconds cron keeps exactly `retain` snapshots of its own, a user's snapshot stays, `cairn audit
// explain` says where each went; a malformed cron is refused by name; the StorageClass's
// recurringJobSelector and recurringJobs reach the volume through CSI CreateVolume; and a kill -9
// of the leading manager between fire times runs no fire time twice and skips none silently
// (each is run, or counted as missed by the run after it). Everything is read from the log.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CsiClient } from '@cairn/csi';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { CAIRN } from './support/cluster.js';
import { Admin, alive, clusterCa, kill9, until } from './support/chaos.js';

const execFileP = promisify(execFile);
const MiB = 2 ** 20;
const s = suite('recurring jobs');

interface ClusterFile {
  token: string;
  tlsCa?: string;
  managers: { id: string; pid: number; address: string; csiEndpoint: string }[];
}

let dir = '';
let cluster: ClusterFile;
let api: Admin;

/** The CLI against this cluster: exit code and output, never a throw. */
async function cairn(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await execFileP(process.execPath, [CAIRN, ...args, '--cluster', join(dir, 'cluster.json')], {
      timeout: 60_000,
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/** Every event of the log from `from`, up to its head, from whichever manager answers. */
async function events(from = 1): Promise<EventEnvelope__Output[]> {
  for (let attempt = 0; ; attempt++) {
    const { client } = api.stream();
    try {
      return await new Promise<EventEnvelope__Output[]>((resolve, reject) => {
        const out: EventEnvelope__Output[] = [];
        const st = client.WatchEvents({ fromSeq: from, follow: false });
        st.on('data', (e: EventEnvelope__Output) => out.push(e));
        st.on('end', () => resolve(out));
        st.on('error', reject);
      });
    } catch (e) {
      if (attempt > 20) throw e;
      api.next();
    }
  }
}

const done = (evs: EventEnvelope__Output[], job: string, volume: string) =>
  evs
    .filter(
      (e) =>
        e.payload === 'recurringJobVolumeDone' &&
        e.recurringJobVolumeDone!.job === job &&
        e.recurringJobVolumeDone!.volume === volume,
    )
    .map((e) => ({
      ...e.recurringJobVolumeDone!,
      seq: Number(e.seq),
      timeMs: Number(e.timeMs),
      fireMs: Number(e.recurringJobVolumeDone!.fireMs),
      actor: e.actor,
    }));
const runs = (evs: EventEnvelope__Output[], job: string) =>
  evs
    .filter((e) => e.payload === 'recurringJobRunStarted' && e.recurringJobRunStarted!.job === job)
    .map((e) => ({
      ...e.recurringJobRunStarted!,
      timeMs: Number(e.timeMs),
      fireMs: Number(e.recurringJobRunStarted!.fireMs),
      missedFirstMs: Number(e.recurringJobRunStarted!.missedFirstMs),
      missedLastMs: Number(e.recurringJobRunStarted!.missedLastMs),
      actor: e.actor,
    }));

s.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-jobs-'));
  await execFileP(process.execPath, [CAIRN, 'up', '--dir', dir, '--nodes', '2', '--managers', '2', '--detach'], {
    timeout: 120_000,
  });
  cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterFile;
  api = new Admin(
    () => cluster.managers.filter((m) => alive(m.pid)).map((m) => m.address),
    readFileSync(cluster.token, 'utf8').trim(),
    clusterCa(cluster),
  );
});
s.after(async () => {
  api?.close();
  if (dir) {
    await execFileP(process.execPath, [CAIRN, 'down', '--dir', dir], { timeout: 60_000 }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

s('a malformed cron, an out-of-range retain and an unknown task are refused by name; nothing is created', async () => {
  const bad = await cairn(['job', 'create', 'bad', '--task', 'snapshot', '--cron', '61 * * * *', '--retain', '1']);
  assert.is.not(bad.code, 0);
  assert.match(bad.err, /cron "61 \* \* \* \*" is not a valid cron expression: .*minute/);
  const retain = await cairn(['job', 'create', 'bad', '--task', 'snapshot', '--cron', '* * * * *', '--retain', '101']);
  assert.match(retain.err, /retain 101 is out of range: 0 to 100/);
  const task = await cairn(['job', 'create', 'bad', '--task', 'defrag', '--cron', '* * * * *', '--retain', '1']);
  assert.match(task.err, /task "defrag" is not one of snapshot/);
  assert.equal((await api.call('ListRecurringJobs', {})).jobs, []);
});

s(
  'a snapshot job every 2 s keeps exactly retain (2) of its snapshots; a user snapshot stays; audit explain says where each went',
  async () => {
    await api.call('CreateVolume', { name: 'v', size: 16 * MiB, numberOfReplicas: 1 });
    await api.call('CreateSnapshot', { volume: 'v', name: 'mine' });
    const made = await cairn([
      'job',
      'create',
      'snap',
      '--task',
      'snapshot',
      '--cron',
      '*/2 * * * * *',
      '--retain',
      '2',
      '--group',
      'default',
      '-o',
      'json',
    ]);
    assert.is(made.code, 0, made.err);
    assert.equal(JSON.parse(made.out).volumes, ['v'], 'a volume without job labels is in the default group');
    // Four runs on v: the third and the fourth each delete the oldest of the job's.
    const ds = await until('4 runs of job snap on v', 60_000, async () => {
      const d = done(await events(), 'snap', 'v');
      return d.length >= 4 ? d : null;
    });
    for (const d of ds) assert.is(d.error, '', 'each run made its snapshot');
    const names = ds.map((d) => d.snapshotCreated);
    assert.equal(ds[2]!.snapshotsDeleted, [names[0]]);
    assert.equal(ds[3]!.snapshotsDeleted, [names[1]]);
    // At every run's end exactly `retain` of the job's snapshots exist: replay the creations and deletions.
    const live = new Set<string>();
    for (const d of ds) {
      live.add(d.snapshotCreated);
      for (const x of d.snapshotsDeleted) live.delete(x);
      assert.ok(live.size <= 2, `after the run of ${new Date(d.fireMs).toISOString()}: ${[...live].join(', ')}`);
    }
    const last = ds.at(-1)!;
    // The volume as the manager has it now (later runs may have come): the user's and two of the job's.
    const snaps: string[] = (await api.call('ListSnapshots', { name: 'v' })).snapshots.map((x) => x.name);
    assert.ok(snaps.includes('mine'), 'the user snapshot stays');
    assert.is(snaps.filter((n) => n.startsWith('snap-c-')).length, 2, `the job's: ${snaps.join(', ')}`);
    const explain = await cairn(['audit', 'explain', 'v']);
    assert.match(explain.out, new RegExp(`snapshot ${names[0]} created by recurring job snap`));
    assert.match(
      explain.out,
      new RegExp(`snapshot ${names[0]} deleted by recurring job snap \\(its run of [^)]+\\): retention`),
    );
    assert.match(explain.out, /snapshot mine created by admin/);
    assert.not.match(explain.out, /snapshot mine deleted/);
    assert.ok(last.seq > 0);
  },
);

s(
  'StorageClass recurringJobSelector and recurringJobs through CSI CreateVolume: labels on the volume, the inline job created',
  async () => {
    const m = cluster.managers.find((x) => alive(x.pid))!;
    const csi = new CsiClient(m.csiEndpoint, 60_000);
    try {
      await csi.call('Controller', 'CreateVolume', {
        name: 'pvc-jobs',
        capacityRange: { requiredBytes: 16 * MiB },
        volumeCapabilities: [{ mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' } }],
        parameters: {
          numberOfReplicas: '1',
          recurringJobSelector: '[{"name":"gold","isGroup":true},{"name":"snap","isGroup":false}]',
          recurringJobs: '[{"name":"hourly","task":"snapshot","cron":"0 * * * *","retain":3,"labels":{"tier":"1"}}]',
        },
      });
    } finally {
      csi.close();
    }
    const v = await api.call('GetVolume', { name: 'pvc-jobs' });
    assert.equal(v.labels, {
      'recurring-job-group.longhorn.io/gold': 'enabled',
      'recurring-job.longhorn.io/hourly': 'enabled',
      'recurring-job.longhorn.io/snap': 'enabled',
    });
    assert.equal(v.recurringJobs, ['hourly', 'snap'], 'the jobs its labels pick (no job is in group gold)');
    assert.equal(v.unsupportedParameters, [], 'acted on, not reported');
    const hourly = await api.call('GetRecurringJob', { name: 'hourly' });
    assert.equal([hourly.task, hourly.cron, hourly.retain, hourly.labels], ['snapshot', '0 * * * *', 3, { tier: '1' }]);
    assert.equal(hourly.volumes, ['pvc-jobs']);
    // The job picks it up: its next run covers pvc-jobs too (it has no default-group label any more).
    const after = await until(
      'a run of snap on pvc-jobs',
      30_000,
      async () => done(await events(), 'snap', 'pvc-jobs')[0],
    );
    assert.match(after.snapshotCreated, /^snap-c-/);
  },
);

s(
  'a backup job (file:// target, retain 1): its backups labelled with the job complete; the older ones are removed from the target by its retention',
  async () => {
    const target = join(dir, 'backups');
    mkdirSync(target); // the share, as mounted on every node
    await api.call('SetBackupTarget', { url: `file://${target}` });
    await api.call('CreateVolume', {
      name: 'b',
      size: 16 * MiB,
      numberOfReplicas: 1,
      labels: { 'recurring-job.longhorn.io/bk': 'enabled' },
    });
    await api.call('CreateRecurringJob', { name: 'bk', task: 'backup', cron: '*/3 * * * * *', retain: 1 });
    const completed = await until('a backup of b by job bk completed', 60_000, async () => {
      const evs = await events();
      const requested = evs.filter(
        (e) =>
          e.payload === 'backupRequested' &&
          e.backupRequested!.volume === 'b' &&
          e.backupRequested!.labels['recurring-job'] === 'bk',
      );
      const names = new Set(requested.map((e) => e.backupRequested!.name));
      return evs.find(
        (e) =>
          e.payload === 'backupCompleted' && e.backupCompleted!.volume === 'b' && names.has(e.backupCompleted!.name),
      );
    });
    assert.match(completed.backupCompleted!.name, /^bk-c-/);
    // Once a second one completes, the first is beyond retain: removed from the target, as an event.
    const removed = await until('a backup of b removed by the retention of bk', 60_000, async () =>
      (await events()).find(
        (e) =>
          e.payload === 'backupDeleted' && e.backupDeleted!.volume === 'b' && e.cause === 'recurring-job:bk@retention',
      ),
    );
    assert.is(removed.backupDeleted!.name, completed.backupCompleted!.name, 'the oldest goes first');
    await api.call('DeleteRecurringJob', { name: 'bk' });
    const left = (await api.call('ListBackups', { volume: 'b' })).backups.filter((x) => x.state === 'completed');
    assert.not.ok(
      left.some((x) => x.name === removed.backupDeleted!.name),
      'gone from the target',
    );
    assert.ok(left.length >= 1, 'the newest stays');
    const explain = await cairn(['audit', 'explain', 'b']);
    assert.match(explain.out, new RegExp(`backup ${completed.backupCompleted!.name} completed`));
    assert.match(
      explain.out,
      new RegExp(`backup ${removed.backupDeleted!.name} removed by recurring job bk: retention`),
    );
  },
);

s(
  'kill -9 of the leading manager between fire times: no fire time runs twice; the new leader runs the newest one due and counts the ones before it as missed',
  async () => {
    const before = await events();
    const seqBefore = Number(before.at(-1)!.seq);
    const leaderId = (await api.call('GetClusterInfo', {})).leaderId;
    const leader = cluster.managers.find((m) => m.id === leaderId)!;
    assert.ok(leader, `the leader ${leaderId} is one of the cluster's managers`);
    const other = cluster.managers.find((m) => m.id !== leaderId)!;
    // Right after a run is done (the next fire time is ~2 s away), the leader dies, with the other
    // manager held (SIGSTOP) for 5 s: no manager leads over at least two fire times.
    await until(
      'a run of snap after this point',
      10_000,
      async () => done(await events(seqBefore + 1), 'snap', 'v')[0],
    );
    process.kill(other.pid, 'SIGSTOP');
    const killedAt = Date.now();
    try {
      await kill9(leader.pid);
      await new Promise((r) => setTimeout(r, 5000)); // the fault's length, not a wait for a state
    } finally {
      process.kill(other.pid, 'SIGCONT');
    }
    // The other manager takes over (lease ~3 s) and runs the job on: two of its runs on v.
    await until('2 runs of snap by the new leader', 60_000, async () => {
      const d = done(await events(seqBefore + 1), 'snap', 'v').filter(
        (x) => x.actor === `manager/${other.id}` && x.timeMs > killedAt,
      );
      return d.length >= 2;
    });
    const all = runs(await events(), 'snap');
    const fires = all.map((r) => r.fireMs);
    assert.equal(fires.length, new Set(fires).size, `no fire time started twice: ${fires.join(', ')}`);
    assert.equal(
      fires,
      [...fires].sort((a, b) => a - b),
      'fire times only move forward',
    );
    // Every 2 s fire time from the first run to the last is either run or counted missed by the run after it.
    const missed = new Set<number>();
    for (const r of all) {
      if (!r.missed) continue;
      for (let t = r.missedFirstMs; t <= r.missedLastMs; t += 2000) missed.add(t);
      assert.is(r.missed, (r.missedLastMs - r.missedFirstMs) / 2000 + 1, 'the count matches the range');
    }
    for (let t = fires[0]!; t <= fires.at(-1)!; t += 2000) {
      assert.ok(
        fires.includes(t) !== missed.has(t),
        `fire time ${new Date(t).toISOString()} is run or missed (exactly one)`,
      );
    }
    const byNew = all.filter((r) => r.actor === `manager/${other.id}` && r.timeMs > killedAt);
    assert.ok(byNew.length >= 2, 'the new leader ran the job');
    // Its first run is the newest fire time due when it took over (late, when it took over between
    // two fire times); every fire time between the old leader's last run and it is counted missed.
    const first = byNew[0]!;
    const lastOld = all.filter((r) => r.timeMs <= killedAt).at(-1)!;
    assert.ok(first.missed >= 1, `5 s without a leader: at least one fire time missed (${first.missed})`);
    assert.is(first.missedFirstMs, lastOld.fireMs + 2000, 'counted from the fire time after the last one run');
    assert.is(first.missedLastMs, first.fireMs - 2000, 'up to the one before the run');
    // And the retention held across the change: two of the job's snapshots on v.
    const snaps: string[] = (await api.call('ListSnapshots', { name: 'v' })).snapshots.map((x) => x.name);
    assert.is(snaps.filter((n) => n.startsWith('snap-c-')).length, 2, snaps.join(', '));
  },
);

s.run();

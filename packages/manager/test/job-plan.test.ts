// Recurring jobs' pure decisions (job-plan.ts, job-commands.ts) with an injected clock: which fire
// time is due and which were missed, what a run does on a volume, what retention deletes, which
// jobs a volume's labels pick, and what the commands refuse.
import { suite } from 'uvu';
import { createRequest, refused } from './support.js';
import * as assert from 'uvu/assert';
import {
  applyEvent,
  canonicalJson,
  decodeEvent,
  draft,
  emptyState,
  encodeEvent,
  fromCanonicalJson,
  jobsOfVolume,
  SCHEMA_VERSION,
  stateHash,
} from '@cairn/metadata';
import type { ClusterState, EventDraft } from '@cairn/metadata';
import * as cmd from '../src/commands.js';
import * as jobs from '../src/job-commands.js';
import {
  backupsBeyondRetain,
  cronError,
  dueRun,
  jobSnapshotName,
  nextVolumes,
  runStartedDraft,
  TRIM_NOT_ATTACHED,
  trimLostDrafts,
  trimReportDrafts,
  volumeStep,
} from '../src/job-plan.js';
import { trimsFor } from '../src/assignment-feed.js';
import { trimDrafts } from '../src/node-service.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0, 500);
const S = 1000;

/** Applies drafts as the projection does, stamped with event time `timeMs` (the log's clock). */
function apply(s: ClusterState, drafts: EventDraft[], timeMs = T0): ClusterState {
  for (const d of drafts) {
    const seq = s.seq + 1;
    applyEvent(
      s,
      decodeEvent(encodeEvent({ cause: '', ...d, seq, timeMs, actor: 't', schemaVersion: SCHEMA_VERSION }), seq),
    );
  }
  return s;
}

const volume = (name: string, o: Partial<cmd.CreateVolume> = {}): cmd.CreateVolume =>
  createRequest({ name, size: 2 ** 30, numberOfReplicas: 1, ...o });
const job = (o: Partial<jobs.JobRequest> = {}): jobs.JobRequest => ({
  name: 'snap',
  task: 'snapshot',
  cron: '*/10 * * * * *',
  retain: 2,
  concurrency: 1,
  groups: ['default'],
  labels: {},
  ...o,
});

function cluster(): ClusterState {
  return apply(emptyState(), [
    draft.nodeRegistered('node-1'),
    draft.diskAdded('node-1', 'disk-1', { maximum: 100 * 2 ** 30 }),
  ]);
}

/** Runs every step of the job's due run at `nowMs`, as the leader would; returns the run's events. */
function runAt(s: ClusterState, name: string, nowMs: number): EventDraft[] {
  const out: EventDraft[] = [];
  const j = s.recurringJobs.get(name)!;
  const due = dueRun(j, nowMs);
  if (!due) return out;
  const started = [runStartedDraft(s, j, due)];
  apply(s, started, nowMs);
  out.push(...started);
  for (let guard = 0; s.recurringJobs.get(name)?.running && guard < 100; guard++) {
    const jj = s.recurringJobs.get(name)!;
    const d = nextVolumes(jj).flatMap((v) => volumeStep(s, jj, jj.running!.fireMs, v));
    apply(s, d, nowMs);
    out.push(...d);
  }
  return out;
}

const snapshotsOf = (s: ClusterState, v: string): string[] => [...s.volumes.get(v)!.snapshots.keys()].sort();

const t = suite('job-plan');

t('cron expressions: malformed ones are refused with the reason, 5 and 6 fields and @macros accepted', () => {
  assert.match(cronError('61 * * * *')!, /minute/);
  assert.match(cronError('nonsense')!, /five or six/);
  assert.match(cronError('')!, /empty/);
  assert.is(cronError('*/5 * * * * *'), null);
  assert.is(cronError('0 */6 * * *'), null);
  assert.is(cronError('@daily'), null);
});

t('due: nothing before the first fire time after creation; then the newest due, the ones before it missed', () => {
  const s = cluster();
  apply(s, jobs.createJob(s, job()), T0);
  const j = s.recurringJobs.get('snap')!;
  assert.is(dueRun(j, T0 + 5 * S), null, 'the first fire time (00:00:10) has not come');
  const first = dueRun(j, T0 + 10 * S)!;
  assert.equal(first, {
    fireMs: Date.UTC(2026, 0, 1, 0, 0, 10),
    missed: 0,
    missedAtLeast: false,
    missedFirstMs: 0,
    missedLastMs: 0,
  });
  apply(s, [runStartedDraft(s, j, first)], T0 + 10 * S);
  assert.is(s.recurringJobs.get('snap')!.lastFireMs, first.fireMs);
  assert.ok(s.recurringJobs.get('snap')!.running === null, 'a run on no volume is done at once');
  assert.is(dueRun(s.recurringJobs.get('snap')!, T0 + 15 * S), null, 'that fire time is not due again');
  const late = dueRun(s.recurringJobs.get('snap')!, T0 + 45 * S)!;
  assert.is(late.fireMs, Date.UTC(2026, 0, 1, 0, 0, 40));
  assert.is(late.missed, 2);
  assert.is(late.missedFirstMs, Date.UTC(2026, 0, 1, 0, 0, 20));
  assert.is(late.missedLastMs, Date.UTC(2026, 0, 1, 0, 0, 30));
});

t(
  'due: a run still going starts no new one; a long outage of a seconds cron is counted as at least that many missed',
  () => {
    const s = cluster();
    apply(s, cmd.createVolume(s, volume('v')));
    apply(s, jobs.createJob(s, job({ cron: '* * * * * *' })), T0);
    const j = s.recurringJobs.get('snap')!;
    apply(s, [runStartedDraft(s, j, dueRun(j, T0 + S)!)], T0 + S);
    assert.ok(s.recurringJobs.get('snap')!.running, 'the run on v is going');
    assert.is(dueRun(s.recurringJobs.get('snap')!, T0 + 5 * S), null);
    const idle = { ...s.recurringJobs.get('snap')!, running: null };
    const d = dueRun(idle, T0 + 2 * 3600 * S)!;
    assert.is(d.fireMs, Math.floor((T0 + 2 * 3600 * S) / S) * S, 'the newest fire time runs');
    assert.ok(d.missedAtLeast);
    assert.ok(d.missed >= 500);
  },
);

t('a snapshot job keeps exactly retain snapshots of its own per volume; a user snapshot stays', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, volume('v')));
  apply(s, cmd.createSnapshot(s, 'v', 'mine'));
  apply(s, jobs.createJob(s, job({ retain: 2 })), T0);
  const made: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const evs = runAt(s, 'snap', T0 + i * 10 * S);
    const done = evs.find((e) => e.recurringJobVolumeDone)!.recurringJobVolumeDone!;
    assert.is(done.snapshotCreated, jobSnapshotName('snap', Date.UTC(2026, 0, 1, 0, 0, i * 10)));
    made.push(done.snapshotCreated!);
    if (i > 2) assert.equal(done.snapshotsDeleted, [made[i - 3]], `run ${i} deletes the oldest of the job's`);
    for (const e of evs.filter((x) => x.snapshotCreated || x.snapshotDeleted))
      assert.match(e.cause!, /^recurring-job:snap@/);
  }
  assert.equal(snapshotsOf(s, 'v'), ['mine', made[2]!, made[3]!].sort());
  assert.is(s.volumes.get('v')!.snapshots.get(made[3]!)!.job, 'snap');
  assert.is(s.volumes.get('v')!.snapshots.get('mine')!.job, undefined);
});

t('retention counts each job apart and keeps a snapshot a clone still copies from', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, volume('v')));
  apply(s, jobs.createJob(s, job({ name: 'a', retain: 1 })), T0);
  apply(s, jobs.createJob(s, job({ name: 'b', retain: 1 })), T0);
  runAt(s, 'a', T0 + 10 * S);
  runAt(s, 'b', T0 + 10 * S);
  const a1 = jobSnapshotName('a', Date.UTC(2026, 0, 1, 0, 0, 10));
  apply(s, cmd.createVolume(s, volume('clone', { dataSource: `snap://v/${a1}` })));
  const evs = runAt(s, 'a', T0 + 20 * S);
  const done = evs.find((e) => e.recurringJobVolumeDone?.volume === 'v')!.recurringJobVolumeDone!;
  const onClone = evs.find((e) => e.recurringJobVolumeDone?.volume === 'clone')!.recurringJobVolumeDone!;
  assert.match(onClone.error!, /still copying its data source/, 'a clone is not snapshotted before its copy is done');
  assert.equal(done.snapshotsDeleted, []);
  assert.match(done.kept![0]!, new RegExp(`${a1} \\(volume clone still copies it\\)`));
  assert.ok(
    s.volumes.get('v')!.snapshots.has(jobSnapshotName('b', Date.UTC(2026, 0, 1, 0, 0, 10))),
    "b's snapshot is not a's to delete",
  );
});

t('snapshot-delete deletes every kind of snapshot beyond retain, oldest first; it makes none', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, volume('v')));
  for (const n of ['s1', 's2', 's3']) apply(s, cmd.createSnapshot(s, 'v', n));
  apply(s, jobs.createJob(s, job({ name: 'del', task: 'snapshot-delete', retain: 1 })), T0);
  const evs = runAt(s, 'del', T0 + 10 * S);
  assert.equal(evs.find((e) => e.recurringJobVolumeDone)!.recurringJobVolumeDone!.snapshotsDeleted, ['s1', 's2']);
  assert.equal(snapshotsOf(s, 'v'), ['s3']);
});

t('snapshot-cleanup deletes the snapshot a vol:// clone was copied from once copied, and nothing of a user', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, volume('v')));
  apply(s, cmd.createSnapshot(s, 'v', 'clone-x-1'));
  apply(s, cmd.createVolume(s, volume('c', { dataSource: 'vol://v' })));
  const sys = [...s.volumes.get('v')!.snapshots.keys()].find((n) => n.startsWith('clone-c-'))!;
  apply(s, jobs.createJob(s, job({ name: 'clean', task: 'snapshot-cleanup', retain: 0, groups: ['default'] })), T0);
  let evs = runAt(s, 'clean', T0 + 10 * S);
  assert.equal(
    evs.filter((e) => e.snapshotDeleted),
    [],
    'not while the clone still copies it',
  );
  apply(s, [{ volumeDataSourceCopied: { name: 'c', nodeId: 'node-1' } }]);
  evs = runAt(s, 'clean', T0 + 20 * S);
  assert.equal(
    evs.filter((e) => e.snapshotDeleted).map((e) => e.snapshotDeleted!.name),
    [sys],
  );
  assert.ok(s.volumes.get('v')!.snapshots.has('clone-x-1'), "a user's snapshot named like one stays");
});

t(
  'what cannot run ends each volume with the reason, not silently: filesystem-trim of a detached volume, a backup with no target',
  () => {
    const s = cluster();
    apply(s, cmd.createVolume(s, volume('v')));
    apply(s, jobs.createJob(s, job({ name: 'bk', task: 'backup' })), T0);
    apply(s, jobs.createJob(s, job({ name: 'trim', task: 'filesystem-trim', retain: 0 })), T0);
    for (const [n, why] of [
      ['bk', /^not run: no backup target is set/],
      ['trim', /^not run: the volume is not attached \(a filesystem is trimmed where it is mounted\)$/],
    ] as const) {
      const done = runAt(s, n, T0 + 10 * S).find((e) => e.recurringJobVolumeDone)!.recurringJobVolumeDone!;
      assert.match(done.error!, why);
      assert.is(s.recurringJobs.get(n)!.running, null, 'the run ends');
    }
  },
);

/** Volumes a, b (attached on node-1) and c (detached), a filesystem-trim job over them, its run started at T0 + 10 s. */
function trimCluster(): ClusterState {
  const s = apply(cluster(), [draft.nodeRegistered('node-2')]);
  for (const v of ['a', 'b', 'c']) apply(s, cmd.createVolume(s, volume(v)));
  for (const v of ['a', 'b']) {
    apply(s, cmd.attachVolume(s, v, 'node-1'));
    apply(s, [{ volumeAttached: { name: v, nodeId: 'node-1', endpoint: `nbd://h:1/${v}` } }]);
  }
  apply(s, jobs.createJob(s, job({ name: 'trim', task: 'filesystem-trim', retain: 0, concurrency: 3 })), T0);
  apply(s, [runStartedDraft(s, s.recurringJobs.get('trim')!, dueRun(s.recurringJobs.get('trim')!, T0 + 10 * S)!)]);
  return s;
}
const stepAll = (s: ClusterState): EventDraft[] => {
  const j = s.recurringJobs.get('trim')!;
  return nextVolumes(j).flatMap((v) => volumeStep(s, j, j.running!.fireMs, v));
};

t(
  'filesystem-trim: an attached volume is requested of its node, a detached one is done at once with the reason',
  () => {
    const s = trimCluster();
    const fireMs = s.recurringJobs.get('trim')!.running!.fireMs;
    const d = stepAll(s);
    assert.equal(
      d.map((e) => e.recurringJobTrimRequested ?? e.recurringJobVolumeDone?.volume),
      [
        { job: 'trim', fireMs, volume: 'a', nodeId: 'node-1' },
        { job: 'trim', fireMs, volume: 'b', nodeId: 'node-1' },
        'c',
      ],
    );
    assert.is(d[2]!.recurringJobVolumeDone!.error, TRIM_NOT_ATTACHED);
    assert.match(d[0]!.cause!, /^recurring-job:trim@/, 'caused by the run like its other events');
    apply(s, d);
    assert.equal(s.recurringJobs.get('trim')!.running!.pending, ['a', 'b'], 'the run waits for the requested trims');
    assert.equal(s.recurringJobs.get('trim')!.running!.trims, { a: 'node-1', b: 'node-1' });
    assert.equal(
      trimsFor(s, 'node-1'),
      [
        { job: 'trim', fireMs, volume: 'a' },
        { job: 'trim', fireMs, volume: 'b' },
      ],
      'node-1 is sent them',
    );
    assert.equal(trimsFor(s, 'node-2'), [], 'another node is sent none');
    assert.equal(stepAll(s), [], 'a pending trim adds nothing (no second request)');
    assert.equal(trimLostDrafts(s, s.recurringJobs.get('trim')!), [], 'nothing lost while attached and the node is up');
    const copy = fromCanonicalJson(canonicalJson(s), s.seq);
    assert.is(stateHash(copy), stateHash(s), 'the pending trims survive a snapshot of the state');
    assert.equal(copy.recurringJobs.get('trim')!.running!.trims, { a: 'node-1', b: 'node-1' });
  },
);

t(
  "filesystem-trim: the asked node's report ends the volume with the bytes trimmed or its error; another node is denied; a repeat is ignored",
  () => {
    const s = trimCluster();
    apply(s, stepAll(s));
    const fireMs = s.recurringJobs.get('trim')!.running!.fireMs;
    refused(
      () => trimDrafts(s, 'node-2', [{ job: 'trim', fireMs, volume: 'a', trimmedBytes: 5, error: '' }]),
      'PermissionDenied',
      /not requested of node "node-2"/,
    );
    const a = trimDrafts(s, 'node-1', [{ job: 'trim', fireMs, volume: 'a', trimmedBytes: 4 << 20, error: '' }]);
    assert.is(a.length, 1);
    assert.is(a[0]!.recurringJobVolumeDone!.trimmedBytes, 4 << 20);
    assert.is(a[0]!.recurringJobVolumeDone!.error, '');
    assert.match(a[0]!.cause!, /^recurring-job:trim@/);
    apply(s, a);
    assert.equal(
      trimReportDrafts(s, 'node-1', { job: 'trim', fireMs, volume: 'a', trimmedBytes: 1, error: '' }),
      [],
      'reported again: ignored',
    );
    assert.equal(
      trimReportDrafts(s, 'node-1', { job: 'gone', fireMs, volume: 'a', trimmedBytes: 1, error: '' }),
      [],
      'an unknown job: ignored',
    );
    assert.equal(s.recurringJobs.get('trim')!.running!.trims, { b: 'node-1' });
    const b = trimDrafts(s, 'node-1', [
      {
        job: 'trim',
        fireMs,
        volume: 'b',
        trimmedBytes: 0,
        error: 'not run: volume b has no mounted filesystem on node node-1',
      },
    ]);
    assert.is(b[0]!.recurringJobVolumeDone!.error, 'not run: volume b has no mounted filesystem on node node-1');
    apply(s, b);
    assert.is(s.recurringJobs.get('trim')!.running, null, 'every volume done: the run ends');
    assert.equal(trimsFor(s, 'node-1'), []);
  },
);

t(
  'filesystem-trim: the leader ends a pending trim whose volume left the node or whose node went down, saying which',
  () => {
    const s = trimCluster();
    apply(s, stepAll(s));
    apply(s, cmd.detachVolume(s, 'a'));
    apply(s, [{ nodeDown: { nodeId: 'node-1', reason: 'lease expired' } }]);
    const lost = trimLostDrafts(s, s.recurringJobs.get('trim')!);
    assert.equal(
      lost.map((e) => [e.recurringJobVolumeDone!.volume, e.recurringJobVolumeDone!.error]),
      [
        ['a', 'not trimmed: node node-1 is down (fstrim was requested of it)'],
        ['b', 'not trimmed: node node-1 is down (fstrim was requested of it)'],
      ],
    );
    const s2 = trimCluster();
    apply(s2, stepAll(s2));
    apply(s2, cmd.detachVolume(s2, 'a'));
    const lost2 = trimLostDrafts(s2, s2.recurringJobs.get('trim')!);
    assert.equal(
      lost2.map((e) => [e.recurringJobVolumeDone!.volume, e.recurringJobVolumeDone!.error]),
      [['a', 'not trimmed: the volume is no longer attached to node node-1 (fstrim was requested of it)']],
    );
    assert.equal(
      trimsFor(s2, 'node-1').map((t) => t.volume),
      ['b'],
      'a detaching volume is no longer sent',
    );
    apply(s2, lost2);
    assert.equal(s2.recurringJobs.get('trim')!.running!.pending, ['b']);
  },
);

t(
  'a backup job requests a backup of a new snapshot, labelled with the job; retention keeps a snapshot a backup still reads',
  () => {
    const s = cluster();
    apply(s, cmd.createVolume(s, volume('v')));
    apply(s, [{ settingsChanged: { values: { 'backup-target': 'file:///backups' } } }]);
    apply(s, jobs.createJob(s, job({ name: 'bk', task: 'backup', retain: 1, labels: { tier: 'gold' } })), T0);
    const evs = runAt(s, 'bk', T0 + 10 * S);
    const name = jobSnapshotName('bk', Date.UTC(2026, 0, 1, 0, 0, 10));
    const req = evs.find((e) => e.backupRequested)!;
    assert.is(req.backupRequested!.snapshot, name);
    assert.equal(req.backupRequested!.labels, { tier: 'gold', 'recurring-job': 'bk' });
    assert.match(req.cause!, /^recurring-job:bk@/);
    assert.is(s.volumes.get('v')!.snapshots.get(name)!.job, 'bk');
    // The next run: the first backup is still pending, so its snapshot is kept though beyond retain.
    const next = runAt(s, 'bk', T0 + 20 * S).find((e) => e.recurringJobVolumeDone)!.recurringJobVolumeDone!;
    assert.equal(next.snapshotsDeleted, []);
    assert.equal(next.kept, [`${name} (a backup of it is not done yet)`]);
    // Retention in the target: completed backups of the job beyond retain (1), oldest first.
    assert.equal(backupsBeyondRetain(s, s.recurringJobs.get('bk')!), [], 'none completed yet');
    const second = jobSnapshotName('bk', Date.UTC(2026, 0, 1, 0, 0, 20));
    for (const n of [name, second]) {
      apply(s, [
        { backupAssigned: { volume: 'v', name: n, nodeId: 'node-1', replicaId: 'r' } },
        { backupStarted: { volume: 'v', name: n, nodeId: 'node-1' } },
        {
          backupCompleted: {
            volume: 'v',
            name: n,
            nodeId: 'node-1',
            url: '',
            size: 1,
            blocks: 1,
            uploadedBlocks: 1,
            uploadedBytes: 1,
          },
        },
      ]);
    }
    const beyond = backupsBeyondRetain(s, s.recurringJobs.get('bk')!);
    assert.equal(
      beyond.map((b) => b.name),
      [name],
    );
    assert.match(beyond[0]!.url, /^file:\/\/\/backups\?backup=bk-c-/);
  },
);

t('concurrency: a step takes at most that many volumes of the run', () => {
  const s = cluster();
  for (const v of ['v1', 'v2', 'v3']) apply(s, cmd.createVolume(s, volume(v)));
  apply(s, jobs.createJob(s, job({ concurrency: 2 })), T0);
  const j = s.recurringJobs.get('snap')!;
  apply(s, [runStartedDraft(s, j, dueRun(j, T0 + 10 * S)!)]);
  assert.equal(nextVolumes(s.recurringJobs.get('snap')!), ['v1', 'v2']);
  const jj = s.recurringJobs.get('snap')!;
  apply(
    s,
    nextVolumes(jj).flatMap((v) => volumeStep(s, jj, jj.running!.fireMs, v)),
  );
  assert.equal(s.recurringJobs.get('snap')!.running!.pending, ['v3']);
});

t('labels pick jobs as Longhorn does: job and group labels, else the default group', () => {
  const s = cluster();
  apply(s, jobs.createJob(s, job({ name: 'd', groups: ['default'] })), T0);
  apply(s, jobs.createJob(s, job({ name: 'g', groups: ['gold'] })), T0);
  apply(s, jobs.createJob(s, job({ name: 'n', groups: [] })), T0);
  apply(s, cmd.createVolume(s, volume('plain')));
  apply(s, cmd.createVolume(s, volume('named', { labels: { 'recurring-job.longhorn.io/n': 'enabled' } })));
  apply(
    s,
    cmd.createVolume(
      s,
      volume('grouped', { labels: { 'recurring-job-group.longhorn.io/gold': 'enabled', app: 'db' } }),
    ),
  );
  const of = (v: string) => jobsOfVolume(s, s.volumes.get(v)!);
  assert.equal(of('plain'), ['d']);
  assert.equal(of('named'), ['n']);
  assert.equal(of('grouped'), ['g']);
  apply(s, cmd.updateVolume(s, { name: 'named', removeLabels: ['recurring-job.longhorn.io/n'] }));
  assert.equal(of('named'), ['d'], 'without job labels it is in the default group again');
  refused(() => cmd.updateVolume(s, { name: 'plain', setLabels: { 'bad key!': 'x' } }), 'InvalidArgument', /label key/);
});

t("job commands: Longhorn's limits, a malformed cron refused by name, idempotent create", () => {
  const s = cluster();
  refused(
    () => jobs.createJob(s, job({ cron: '61 * * * *' })),
    'InvalidArgument',
    /cron "61 \* \* \* \*" is not a valid cron expression/,
  );
  refused(() => jobs.createJob(s, job({ retain: 101 })), 'InvalidArgument', /retain 101 is out of range: 0 to 100/);
  refused(
    () => jobs.createJob(s, job({ retain: 0 })),
    'InvalidArgument',
    /retain must be at least 1 for task snapshot/,
  );
  refused(() => jobs.createJob(s, job({ task: 'defrag' })), 'InvalidArgument', /task "defrag" is not one of/);
  refused(() => jobs.createJob(s, job({ name: 'x'.repeat(41) })), 'InvalidArgument', /longer than 40/);
  apply(s, jobs.createJob(s, job()), T0);
  assert.equal(jobs.createJob(s, job()), []);
  refused(() => jobs.createJob(s, job({ retain: 5 })), 'AlreadyExists', /another definition/);
  apply(s, jobs.updateJob(s, { name: 'snap', retain: 5 }));
  assert.is(s.recurringJobs.get('snap')!.retain, 5);
  refused(() => jobs.updateJob(s, { name: 'snap', cron: 'x' }), 'InvalidArgument', /cron/);
  apply(s, jobs.deleteJob(s, 'snap'));
  assert.equal(jobs.deleteJob(s, 'snap'), []);
});

t('StorageClass job parameters: the selector becomes labels, inline jobs are created when absent', () => {
  const s = cluster();
  apply(s, jobs.createJob(s, job({ name: 'old', retain: 7 })), T0);
  const d = jobs.createVolumeWithJobs(s, {
    ...volume('pvc'),
    recurringJobSelector: [
      { name: 'snap', isGroup: false },
      { name: 'gold', isGroup: true },
    ],
    recurringJobs: [job({ name: 'old', retain: 1 }), job({ name: 'fresh', task: 'snapshot', retain: 3 })],
  });
  apply(s, d);
  assert.equal([...s.recurringJobs.keys()].sort(), ['fresh', 'old']);
  assert.is(s.recurringJobs.get('old')!.retain, 7, 'an existing job is used as it is');
  assert.equal(s.volumes.get('pvc')!.spec.labels, {
    'recurring-job-group.longhorn.io/gold': 'enabled',
    'recurring-job.longhorn.io/fresh': 'enabled',
    'recurring-job.longhorn.io/old': 'enabled',
    'recurring-job.longhorn.io/snap': 'enabled',
  });
  assert.equal(
    jobs.createVolumeWithJobs(s, {
      ...volume('pvc'),
      recurringJobSelector: [
        { name: 'snap', isGroup: false },
        { name: 'gold', isGroup: true },
      ],
      recurringJobs: [job({ name: 'old', retain: 1 }), job({ name: 'fresh', task: 'snapshot', retain: 3 })],
    }),
    [],
    'a repeated create appends nothing',
  );
  refused(
    () => jobs.createVolumeWithJobs(s, { ...volume('pvc2'), recurringJobs: [job({ cron: 'every day' })] }),
    'InvalidArgument',
    /recurringJobs\[0\]\.cron/,
  );
});

t('projection: a run of a fire time not newer than the last is stale; the state survives its canonical form', () => {
  const s = cluster();
  apply(s, cmd.createVolume(s, volume('v')));
  apply(s, jobs.createJob(s, job()), T0);
  runAt(s, 'snap', T0 + 10 * S);
  const before = s.recurringJobs.get('snap')!.lastFireMs;
  apply(s, [{ recurringJobRunStarted: { job: 'snap', fireMs: before, task: 'snapshot', volumes: ['v'] } }]);
  assert.is(s.recurringJobs.get('snap')!.running, null, 'the same fire time again changes nothing');
  const back = fromCanonicalJson(canonicalJson(s), s.seq);
  assert.is(stateHash(back), stateHash(s));
  assert.is(back.recurringJobs.get('snap')!.lastFireMs, before);
  const none = cluster();
  assert.not.match(canonicalJson(none), /recurringJobs/, 'a state without jobs hashes as before them');
});

t.run();

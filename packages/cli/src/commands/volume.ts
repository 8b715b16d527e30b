// cairn volume create|ls|get|update|expand|attach|detach|salvage|activate|rm
import type { CreateVolumeRequest, ExpandVolumeRequest, UpdateVolumeRequest, Volume__Output } from '@cairn/api';
import {
  ACCESS_MODES,
  ANTI_AFFINITY_OVERRIDES as ANTI_AFFINITY,
  DATA_LOCALITIES,
  DATA_SOURCE_FORMS,
  parseDataSource,
  VOLUME_AUTO_BALANCES as AUTO_BALANCES,
} from '@cairn/schema';
import { flagEnum, flagInt, flagList, requireFlag, sizeValue } from '../args.js';
import type { Parsed } from '../args.js';
import type { Command, Context, Group } from '../command.js';
import { UsageError } from '../errors.js';
import { labelFlags } from './job.js';
import { dash, json, keyValues, list, ordered, size, table, textBar } from '../output.js';
import type { Reading } from '../progress.js';
import { COPY_KEY, volumeReadings, volumeSettled } from '../progress-readings.js';
import { progressView } from '../progress-view.js';

/** Per-volume overrides of the anti-affinity settings: flag -> request field. */
const ANTI_AFFINITY_FLAGS = {
  'replica-soft-anti-affinity': 'replicaSoftAntiAffinity',
  'replica-zone-soft-anti-affinity': 'replicaZoneSoftAntiAffinity',
  'replica-disk-soft-anti-affinity': 'replicaDiskSoftAntiAffinity',
} as const;

const SPEC_FLAGS = {
  replicas: { type: 'string', value: 'N', help: 'number of replicas (default: the default-replica-count setting)' },
  'data-locality': {
    type: 'string',
    value: DATA_LOCALITIES.join('|'),
    help: 'keep a replica on the attached node (default: the default-data-locality setting)',
  },
  'disk-selector': {
    type: 'string',
    value: 'TAG,TAG',
    help: 'place replicas only on disks with all these tags ("" clears on update)',
  },
  'node-selector': {
    type: 'string',
    value: 'TAG,TAG',
    help: 'place replicas only on nodes with all these tags ("" clears on update)',
  },
  'replica-auto-balance': {
    type: 'string',
    value: AUTO_BALANCES.join('|'),
    help: 'rebalance replicas across nodes (ignored: follow the setting)',
  },
  'replica-soft-anti-affinity': {
    type: 'string',
    value: ANTI_AFFINITY.join('|'),
    help: 'allow two replicas on one node when no other fits (default: the setting)',
  },
  'replica-zone-soft-anti-affinity': {
    type: 'string',
    value: ANTI_AFFINITY.join('|'),
    help: 'allow two replicas in one zone when no other fits (default: the setting)',
  },
  'replica-disk-soft-anti-affinity': {
    type: 'string',
    value: ANTI_AFFINITY.join('|'),
    help: 'allow two replicas on one disk when no other fits (default: the setting)',
  },
  label: {
    type: 'string',
    value: 'K=V',
    multiple: true,
    help: 'a label (repeat; on update K- removes K); recurring-job.longhorn.io/JOB=enabled picks a recurring job',
  },
} as const;

function antiAffinity(p: Parsed, cmd: string, req: CreateVolumeRequest | UpdateVolumeRequest): void {
  for (const [flag, field] of Object.entries(ANTI_AFFINITY_FLAGS)) {
    const v = flagEnum(p, flag, ANTI_AFFINITY, cmd);
    if (v !== undefined) req[field] = v;
  }
}

// ---- requests (pure) ---------------------------------------------------------------------------

export function createVolumeRequest(p: Parsed): CreateVolumeRequest {
  const cmd = 'volume create';
  const fromBackup = p.flags['from-backup'];
  const restore = typeof fromBackup === 'string' && fromBackup !== '';
  const req: CreateVolumeRequest = {
    name: p.args['NAME']!,
    // From a backup the size may be left out: the backup's.
    size: restore && p.flags['size'] === undefined ? 0 : sizeValue(requireFlag(p, 'size', cmd, '1Gi'), '--size', cmd),
  };
  if (req.size === 0 && !restore) throw new UsageError('--size must be more than 0', cmd);
  if (restore) req.fromBackup = fromBackup;
  if (p.flags['standby']) {
    if (!restore)
      throw new UsageError('--standby needs --from-backup (a DR volume follows the backups of a volume)', cmd);
    req.standby = true;
  }
  const replicas = flagInt(p, 'replicas', { min: 1, command: cmd });
  if (replicas !== undefined) req.numberOfReplicas = replicas;
  const locality = flagEnum(p, 'data-locality', DATA_LOCALITIES, cmd);
  if (locality !== undefined) req.dataLocality = locality;
  const disks = flagList(p, 'disk-selector');
  if (disks) req.diskSelector = disks;
  const nodes = flagList(p, 'node-selector');
  if (nodes) req.nodeSelector = nodes;
  const balance = flagEnum(p, 'replica-auto-balance', AUTO_BALANCES, cmd);
  if (balance !== undefined) req.replicaAutoBalance = balance;
  const stale = flagInt(p, 'stale-replica-timeout', { min: 1, command: cmd });
  if (stale !== undefined) req.staleReplicaTimeout = stale;
  const access = flagEnum(p, 'access-mode', ACCESS_MODES, cmd);
  if (access !== undefined) req.accessMode = access;
  antiAffinity(p, cmd, req);
  const source = p.flags['data-source'];
  if (typeof source === 'string' && source !== '') {
    if (!parseDataSource(source))
      throw new UsageError(`--data-source "${source}" is not valid: use ${DATA_SOURCE_FORMS}`, cmd);
    req.dataSource = source;
  }
  const labels = labelFlags(p, 'label', cmd);
  if (labels) req.labels = labels;
  return req;
}

export function updateVolumeRequest(p: Parsed): UpdateVolumeRequest {
  const cmd = 'volume update';
  const req: UpdateVolumeRequest = { name: p.args['NAME']! };
  const replicas = flagInt(p, 'replicas', { min: 1, command: cmd });
  if (replicas !== undefined) req.numberOfReplicas = replicas;
  const locality = flagEnum(p, 'data-locality', DATA_LOCALITIES, cmd);
  if (locality !== undefined) req.dataLocality = locality;
  const disks = flagList(p, 'disk-selector');
  if (disks) req.diskSelector = { values: disks };
  const nodes = flagList(p, 'node-selector');
  if (nodes) req.nodeSelector = { values: nodes };
  const balance = flagEnum(p, 'replica-auto-balance', AUTO_BALANCES, cmd);
  if (balance !== undefined) req.replicaAutoBalance = balance;
  antiAffinity(p, cmd, req);
  // --label K=V sets, --label K- removes (kubectl's form).
  const removed = (p.lists?.['label'] ?? []).filter((l) => /^[^=]+-$/.test(l));
  const set = labelFlags(
    { ...p, lists: { label: (p.lists?.['label'] ?? []).filter((l) => !removed.includes(l)) } },
    'label',
    cmd,
  );
  if (set && Object.keys(set).length) req.setLabels = set;
  if (removed.length) req.removeLabels = removed.map((l) => l.slice(0, -1));
  if (Object.keys(req).length === 1) {
    throw new UsageError(
      `nothing to update: give at least one of ${Object.keys(SPEC_FLAGS)
        .map((f) => `--${f}`)
        .join(', ')}`,
      cmd,
    );
  }
  return req;
}

export function expandVolumeRequest(p: Parsed): ExpandVolumeRequest {
  const cmd = 'volume expand';
  const bytes = sizeValue(requireFlag(p, 'size', cmd, '2Gi'), '--size', cmd);
  if (bytes === 0) throw new UsageError('--size must be more than 0', cmd);
  return { name: p.args['NAME']!, size: bytes };
}

// ---- output (pure) -----------------------------------------------------------------------------

const VOLUME_KEYS = [
  'name',
  'size',
  'state',
  'robustness',
  'numberOfReplicas',
  'dataLocality',
  'attachedTo',
  'endpoint',
  'replicas',
] as const;
/** A volume for -o json: the documented fields first, then the rest as the API has them. */
export const volumeJson = (v: Volume__Output): Volume__Output => ordered(v, VOLUME_KEYS);

const running = (v: Volume__Output) => v.replicas.filter((r) => r.state === 'running').length;

/** The PVC a volume was made for, as namespace/name ('' when the CO did not say). */
export function pvcOf(v: Volume__Output): string {
  const k = v.kubernetes;
  if (!k || !k.pvcName) return '';
  return k.pvcNamespace ? `${k.pvcNamespace}/${k.pvcName}` : k.pvcName;
}

/**
 * `volume ls`: one line per volume. When any volume was made through CSI, a CSI-NAME column shows
 * the name the CO asked for (the volume's name is derived from it when it is not a cairn name), so
 * a user finds their PVC's volume; clusters used without Kubernetes do not get an empty column.
 */
export function volumesTable(vs: Volume__Output[]): string {
  if (vs.length === 0) return 'no volumes\n';
  const csi = vs.some((v) => v.csiName);
  return table(
    [
      'NAME',
      ...(csi ? ['CSI-NAME'] : []),
      'SIZE',
      'STATE',
      'ROBUSTNESS',
      'REPLICAS',
      'RUNNING',
      'LOCALITY',
      'ATTACHED-TO',
    ],
    vs.map((v) => [
      v.name,
      ...(csi ? [dash(v.csiName)] : []),
      size(v.size),
      v.state,
      v.robustness,
      `${v.replicas.length}/${v.numberOfReplicas}`,
      String(running(v)),
      v.dataLocality,
      v.autoAttachReason ? `(auto: ${v.autoAttachedNode}, ${v.autoAttachReason})` : dash(v.attachedTo),
    ]),
  );
}

export function volumeDetail(v: Volume__Output): string {
  const pairs: [string, string][] = [
    ['name', v.name],
    ...(v.csiName ? [['csi name', v.csiName] as [string, string]] : []),
    ...(pvcOf(v) ? [['pvc', pvcOf(v)] as [string, string]] : []),
    ...(v.kubernetes?.pvName && v.kubernetes.pvName !== v.name
      ? [['pv', v.kubernetes.pvName] as [string, string]]
      : []),
    ['size', `${size(v.size)} (${v.size} bytes)`],
    ['state', v.attachedTo ? `${v.state} (${v.attachedTo})` : v.state],
    ...(v.autoAttachReason
      ? [
          [
            'auto-attached',
            `on ${v.autoAttachedNode} for ${v.autoAttachReason} (an engine without a frontend, by the scheduler; ` +
              (v.autoAttachReason === 'restore'
                ? 'attach the volume once the restore is complete)'
                : 'a user attach takes it over)'),
          ] as [string, string],
        ]
      : []),
    ['robustness', v.robustness],
    ['replicas', `${v.replicas.length} placed, ${running(v)} running, ${v.numberOfReplicas} wanted`],
    ['data locality', v.dataLocality],
    ['disk selector', list(v.diskSelector)],
    ['node selector', list(v.nodeSelector)],
    ['replica auto balance', dash(v.replicaAutoBalance)],
    ['stale replica timeout', v.staleReplicaTimeout ? `${v.staleReplicaTimeout} min` : '-'],
    ['access mode', dash(v.accessMode)],
    ['labels', list(Object.entries(v.labels ?? {}).map(([k, x]) => `${k}=${x}`))],
    ['recurring jobs', list(v.recurringJobs)],
    ['endpoint', dash(v.endpoint)],
    ['created at seq', String(v.createdSeq)],
  ];
  if (v.restore) pairs.push(...restorePairs(v.restore));
  if (v.dataSource)
    pairs.push([
      'data source',
      `${v.dataSource} (${v.dataSourceReady ? 'copied' : 'copying: the engine copies it when attached'})`,
    ]);
  if (v.unschedulable) pairs.push(['unschedulable', v.unschedulable]);
  if (v.waiting) pairs.push(['waiting', v.waiting]);
  // StorageClass parameters the CSI driver accepted without acting on them: said, never hidden.
  for (const u of v.unsupportedParameters) pairs.push(['unsupported parameter', `${u.key}=${u.value}: ${u.reason}`]);
  let out = keyValues(pairs);
  if (v.replicas.length) {
    // A PROGRESS column (a bar per rebuilding replica) only while something rebuilds.
    const rebuilding = v.replicas.some((r) => r.state === 'rebuilding');
    out +=
      '\n' +
      table(
        ['REPLICA', 'NODE', 'DISK', 'STATE', 'TRIGGER', 'ADDRESS', 'FAILED', ...(rebuilding ? ['PROGRESS'] : [])],
        v.replicas.map((r) => [
          r.id,
          r.node,
          r.disk,
          r.state === 'rebuilding' ? `rebuilding ${r.rebuildProgress}%` : r.state,
          dash(r.trigger),
          dash(r.address),
          dash(r.failedReason),
          ...(rebuilding ? [r.state === 'rebuilding' ? textBar(r.rebuildProgress) : ''] : []),
        ]),
      );
  }
  return out;
}

/** `volume get`'s lines about a restore from a backup (and a standby volume's state). */
export function restorePairs(r: NonNullable<Volume__Output['restore']>): [string, string][] {
  const state =
    r.state === 'restoring' ? `restoring ${r.progress}%` : r.state === 'failed' ? `failed: ${r.error}` : r.state;
  const out: [string, string][] = [
    ['restore', `${state}${r.activating ? ' (activating)' : ''}`],
    ['from backup', r.backup],
  ];
  if (r.standby || r.restored !== r.backup) out.push(['restored', dash(r.restored)]);
  return out;
}

function volumeLine(verb: string, v: Volume__Output): string {
  const where = v.attachedTo ? `, ${v.state} on ${v.attachedTo}` : '';
  return `volume "${v.name}" ${verb}: ${size(v.size)}, ${v.numberOfReplicas} replicas, data locality ${v.dataLocality}${where}\n`;
}

// ---- waiting -----------------------------------------------------------------------------------

const POLL_MS = 200;

/**
 * Polls a volume until `done(v)`, drawing the progress of its long work (rebuilds, a restore, a
 * data-source copy) on stderr as it goes (progress-view.ts says how), those `follow` picks: only
 * what the wait is for. `problem(v, ms)` ends the wait with an error: a failure, or the words for
 * a wait that has gone on too long.
 */
async function watchVolume(
  ctx: Context,
  first: Volume__Output,
  done: (v: Volume__Output) => boolean,
  problem: (v: Volume__Output, waitedMs: number) => string | null,
  follow: (r: Reading) => boolean = () => true,
): Promise<Volume__Output> {
  const view = progressView(ctx.io, ctx.format);
  const started = Date.now();
  let v = first;
  try {
    for (;;) {
      view.update(volumeReadings(v).filter(follow));
      if (done(v)) return v;
      const why = problem(v, Date.now() - started);
      if (why) throw new Error(why);
      await new Promise((r) => setTimeout(r, POLL_MS));
      v = await ctx.api().getVolume({ name: v.name });
    }
  } finally {
    view.stop();
  }
}

const served = (v: Volume__Output): boolean => v.state === 'attached' && v.endpoint !== '';
const rebuildingList = (v: Volume__Output): string =>
  v.replicas
    .filter((r) => r.state !== 'running')
    .map((r) => `${r.id} ${r.state}${r.state === 'rebuilding' ? ` ${r.rebuildProgress}%` : ''}`)
    .join(', ') || 'no replica';

/** `volume create --wait`: placed (every wanted replica running) and, from a backup, restored. */
export function createSettled(v: Volume__Output): boolean {
  return (!v.restore || v.restore.state !== 'restoring') && running(v) >= v.numberOfReplicas;
}

// ---- commands ----------------------------------------------------------------------------------

const NAME = ['NAME'];

const create: Command = {
  spec: {
    path: 'volume create',
    args: NAME,
    summary: 'Create a volume (idempotent: the same parameters again return the volume).',
    flags: {
      size: {
        type: 'string',
        value: 'SIZE',
        help: "size, e.g. 512Mi, 1Gi, 2Ti (required unless --from-backup: the backup's size)",
      },
      ...SPEC_FLAGS,
      'stale-replica-timeout': {
        type: 'string',
        value: 'MINUTES',
        help: 'how long a failed replica is kept for reuse (default 2880)',
      },
      'access-mode': { type: 'string', value: ACCESS_MODES.join('|'), help: 'default rwo' },
      'data-source': {
        type: 'string',
        value: 'snap://VOL/SNAP|vol://VOL',
        help: 'start as a copy of a snapshot, or of a volume as it is now',
      },
      'from-backup': {
        type: 'string',
        value: 'URL',
        help: 'restore a backup (its URL, as cairn backup ls shows it) before the volume can be attached',
      },
      standby: {
        type: 'boolean',
        help: 'with --from-backup: a DR volume that follows the newest backup of that volume until activated',
      },
      wait: {
        type: 'boolean',
        help: 'wait until every replica runs and a restore (--from-backup) is done, showing its progress on stderr (up to 600 s)',
      },
    },
  },
  async run(ctx, p) {
    const req = createVolumeRequest(p);
    let v = await ctx.api().createVolume(req);
    if (p.flags['wait']) {
      v = await watchVolume(ctx, v, createSettled, (x, ms) => {
        if (x.restore?.state === 'failed')
          return `volume "${x.name}": restoring ${x.restore.backup} failed: ${x.restore.error}`;
        if (x.unschedulable)
          return `volume "${x.name}" cannot be placed: ${x.unschedulable} (it is kept; the scheduler places it when it can)`;
        return ms > 600_000
          ? `volume "${x.name}" is not ready after 600 s` +
              `: ${running(x)} of ${x.numberOfReplicas} replicas running${x.restore ? `, restore ${x.restore.state} ${x.restore.progress}%` : ''}`
          : null;
      });
    }
    ctx.print(ctx.format === 'json' ? json(volumeJson(v)) : volumeLine('created', v));
    return 0;
  },
};

const activate: Command = {
  spec: {
    path: 'volume activate',
    args: NAME,
    summary: 'Make a standby (DR) volume a normal volume, after restoring the newest backup of its source.',
    notes: 'Waits until the last increment is restored and the volume is activated (--no-wait: return once asked).',
    flags: { 'no-wait': { type: 'boolean', help: 'return once the activation is recorded' } },
  },
  async run(ctx, p) {
    let v = await ctx.api().activateVolume({ name: p.args['NAME']! });
    if (!p.flags['no-wait']) {
      v = await watchVolume(
        ctx,
        v,
        (x) => !x.restore?.standby,
        (x, ms) =>
          x.restore?.state === 'failed'
            ? `volume "${x.name}": restoring ${x.restore.backup} failed: ${x.restore.error}`
            : ms > 600_000
              ? `volume "${x.name}" is still restoring ${x.restore?.backup} (${x.restore?.progress}%) after 600 s`
              : null,
      );
    }
    ctx.print(
      ctx.format === 'json'
        ? json(volumeJson(v))
        : v.restore?.standby
          ? `volume "${v.name}" activating: restoring ${v.restore.backup}\n`
          : `volume "${v.name}" activated: restored ${v.restore?.restored ?? '-'}; it can be attached\n`,
    );
    return 0;
  },
};

const ls: Command = {
  spec: { path: 'volume ls', args: [], flags: {}, summary: 'List volumes.' },
  aliases: ['list'],
  async run(ctx) {
    const { volumes } = await ctx.api().listVolumes();
    ctx.print(ctx.format === 'json' ? json(volumes.map(volumeJson)) : volumesTable(volumes));
    return 0;
  },
};

const get: Command = {
  spec: { path: 'volume get', args: NAME, flags: {}, summary: 'Show a volume and where its replicas are.' },
  async run(ctx, p) {
    const v = await ctx.api().getVolume({ name: p.args['NAME']! });
    ctx.print(ctx.format === 'json' ? json(volumeJson(v)) : volumeDetail(v));
    return 0;
  },
};

const update: Command = {
  spec: {
    path: 'volume update',
    args: NAME,
    flags: SPEC_FLAGS,
    summary: "Change a volume's replica count, data locality or selectors; only the flags given change.",
  },
  async run(ctx, p) {
    const req = updateVolumeRequest(p);
    const v = await ctx.api().updateVolume(req);
    ctx.print(ctx.format === 'json' ? json(volumeJson(v)) : volumeLine('updated', v));
    return 0;
  },
};

const expand: Command = {
  spec: {
    path: 'volume expand',
    args: NAME,
    summary: 'Grow a volume to a new size.',
    flags: {
      size: { type: 'string', value: 'SIZE', required: true, help: 'the new size, larger than the current one' },
    },
  },
  async run(ctx, p) {
    const req = expandVolumeRequest(p);
    const v = await ctx.api().expandVolume(req);
    ctx.print(ctx.format === 'json' ? json(volumeJson(v)) : `volume "${v.name}" expanded to ${size(v.size)}\n`);
    return 0;
  },
};

const attach: Command = {
  spec: {
    path: 'volume attach',
    args: NAME,
    summary: 'Attach a volume to a node (its engine and frontend run there) and wait until it serves.',
    notes:
      '-o json prints {"nbd": URI, ...the volume} once the engine is ready; by default the URI is nbd+unix:///NAME?socket=PATH, the agent\'s socket on that node (root only; nbdinfo, nbdcopy, qemu-img take it as is). ' +
      'A volume made from a data source serves once its copy is done. ' +
      'Progress (the copy, rebuilds) goes to stderr: bars on a terminal, plain lines otherwise, none with -o json.',
    flags: {
      node: { type: 'string', value: 'ID', required: true, help: 'the node to attach to' },
      'no-wait': { type: 'boolean', help: 'return once the attach is recorded, without waiting for the engine' },
      wait: {
        type: 'boolean',
        help: 'also wait until the volume is healthy: every replica running, rebuilds done (up to 600 s), showing their progress',
      },
    },
  },
  async run(ctx, p) {
    const req = { name: p.args['NAME']!, nodeId: requireFlag(p, 'node', 'volume attach', 'node-1') };
    if (p.flags['wait'] && p.flags['no-wait'])
      throw new UsageError('--wait and --no-wait go against each other: give one', 'volume attach');
    let v = await ctx.api().attachVolume(req);
    // The engine starts on the node asynchronously; the endpoint appears when it serves.
    if (!p.flags['no-wait']) {
      const healthy = p.flags['wait'] === true;
      v = await watchVolume(
        ctx,
        v,
        healthy ? volumeSettled : served,
        (x, ms) =>
          !served(x) && ms > (x.dataSource && !x.dataSourceReady ? 600_000 : 60_000)
            ? `volume "${x.name}" is still ${x.state} on ${dash(x.attachedTo)} after ${Math.round(ms / 1000)} s; see the node's log`
            : healthy && x.robustness === 'faulted'
              ? `volume "${x.name}" is faulted (${rebuildingList(x)}); see cairn volume salvage`
              : ms > 600_000
                ? `volume "${x.name}" is still ${x.robustness} after 600 s: ${rebuildingList(x)}${x.unschedulable ? `; ${x.unschedulable}` : ''}`
                : null,
        // Without --wait the attach does not wait for rebuilds: only the copy is followed.
        (r) => healthy || r.key === COPY_KEY,
      );
    }
    ctx.print(
      ctx.format === 'json'
        ? json({ nbd: v.endpoint, ...volumeJson(v) })
        : `volume "${v.name}" ${v.state} to ${dash(v.attachedTo)}${v.endpoint ? `: ${v.endpoint}` : ''}\n`,
    );
    return 0;
  },
};

const detach: Command = {
  spec: {
    path: 'volume detach',
    args: NAME,
    flags: {},
    summary: 'Detach a volume from its node.',
    notes:
      "A volume attached only by the scheduler for an offline rebuild or eviction is no user's: nothing to do (it detaches itself when the rebuild is done).",
  },
  async run(ctx, p) {
    const v = await ctx.api().detachVolume({ name: p.args['NAME']! });
    ctx.print(ctx.format === 'json' ? json(volumeJson(v)) : `volume "${v.name}" ${v.state}\n`);
    return 0;
  },
};

const salvage: Command = {
  spec: {
    path: 'volume salvage',
    args: NAME,
    summary: 'Bring back a faulted volume (every replica failed) from the replicas with the newest data.',
    notes:
      "The nodes report each failed replica's revision; the replicas with the highest become running and the others are rebuilt from them. " +
      'Unlike the auto-salvage setting it does not wait for a node that has not reported. --replica names the one to bring back instead.',
    flags: {
      replica: { type: 'string', value: 'ID', help: "the replica to bring back (one of the volume's, not rebuilding)" },
    },
  },
  async run(ctx, p) {
    const replica = p.flags['replica'];
    const v = await ctx
      .api()
      .salvageVolume({ name: p.args['NAME']!, replicaId: typeof replica === 'string' ? replica : '' });
    const back = v.replicas.filter((r) => r.state === 'running').map((r) => r.id);
    ctx.print(
      ctx.format === 'json'
        ? json(volumeJson(v))
        : `volume "${v.name}" salvaged: ${back.join(', ') || '-'} running, ${v.robustness}\n`,
    );
    return 0;
  },
};

const rm: Command = {
  spec: { path: 'volume rm', args: NAME, flags: {}, summary: 'Delete a volume and its replicas (idempotent).' },
  aliases: ['delete'],
  async run(ctx, p) {
    const name = p.args['NAME']!;
    const r = await ctx.api().deleteVolume({ name });
    ctx.print(
      ctx.format === 'json'
        ? json(r)
        : r.deleted
          ? `volume "${name}" deleted (seq ${r.seq})\n`
          : `volume "${name}" does not exist; nothing to delete\n`,
    );
    return 0;
  },
};

export const volume: Group = {
  name: 'volume',
  summary: 'create (also from a backup), list, show, change, attach, detach, salvage, activate and delete volumes',
  commands: [create, ls, get, update, expand, attach, detach, salvage, activate, rm],
};

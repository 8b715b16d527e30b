// The CSI Node service, served by each node agent on --csi-socket next to Identity.
// Every handler: validate (node-plan.ts, the spec's codes) -> per-volume in-flight guard (a
// concurrent call on the same volume gets ABORTED) -> compare with what is recorded -> act with
// the wrappers of node-os.ts, recording each step in stateDir so a restarted agent (or a repeated
// call) carries on where things are.
//
// A volume's block device: the kernel's NBD client (nbd-client) where /dev/nbd* exists, otherwise
// nbdfuse serves the export as a file and a loop device is made of it. nbdfuse runs detached from
// the agent (its pid recorded) so pods keep their volumes across an agent restart.
import { existsSync, mkdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { csiProto } from './proto.js';
import type { NodeHandlers } from './proto.js';
import { identityHandlers } from './identity.js';
import { serveUnix } from './server.js';
import type { UnixServer } from './server.js';
import { aborted, failedPrecondition, invalid, notFound, unary, unavailable } from './errors.js';
import type { Log } from './errors.js';
import { TOPOLOGY_HOSTNAME_KEY, TOPOLOGY_ZONE_KEY } from './contract.js';
import {
  expandCapabilityCheck,
  expandDecision,
  formatDecision,
  fsckOk,
  isPublishMount,
  locate,
  offlineGrowCommands,
  growFsCommand,
  mkfsCommand,
  mountAt,
  parseLookup,
  parsePublishRequest,
  parseStageRequest,
  parseVolumeAndPath,
  publishDecision,
  recordFileName,
  stageDecision,
  stagingMountOptions,
  usageOf,
} from './node-plan.js';
import type { VolumeLookup } from './node-plan.js';
import type { StageRecord } from './node-plan.js';
import { requiredPrograms } from './host-tools.js';
import { StageRecords } from './node-state.js';
import * as os from './node-os.js';
import { nbdExportKnown } from './node-nbd-probe.js';
import type {
  NodeExpandVolumeRequest__Output,
  NodeGetVolumeStatsRequest__Output,
  NodePublishVolumeRequest__Output,
  NodeStageVolumeRequest__Output,
  NodeUnpublishVolumeRequest__Output,
  NodeUnstageVolumeRequest__Output,
} from './types.js';

export interface NodeServiceOptions {
  /** Unix socket path to serve on. */
  socket: string;
  nodeId: string;
  zone: string;
  /** Directory for the node service's own state (which volume is staged where, nbdfuse mounts). */
  stateDir: string;
  log: Log;
  /** NodeGetInfo's max_volumes_per_node; default 0 (the CO decides). */
  maxVolumes?: number;
  /** Use the kernel's NBD client: default when /dev/nbd0 exists and nbd-client is installed. */
  kernelNbd?: boolean;
}

export async function startNodeService(o: NodeServiceOptions): Promise<UnixServer> {
  // NodeGetInfo's promises: a node_id of at most 256 bytes, no negative max_volumes_per_node.
  if (!o.nodeId || Buffer.byteLength(o.nodeId) > 256)
    throw new Error(`node id ${JSON.stringify(o.nodeId)}: must be 1-256 bytes (the CSI node_id)`);
  if (o.maxVolumes !== undefined && !(Number.isInteger(o.maxVolumes) && o.maxVolumes >= 0))
    throw new Error(`max volumes ${o.maxVolumes}: must be an integer >= 0`);
  const proto = csiProto();
  const kernelNbd = o.kernelNbd ?? (await os.kernelNbdAvailable());
  const node = new NodeService(o, kernelNbd);
  // Probe: the spec's FAILED_PRECONDITION "missing required dependency" names what is missing.
  const ready = async (): Promise<boolean> => {
    const missing = os.missingPrograms(requiredPrograms(kernelNbd));
    if (missing.length)
      throw failedPrecondition(`missing required programs: ${missing.join(', ')} (not found on PATH)`);
    return true;
  };
  return serveUnix(o.socket, (server) => {
    server.addService(proto.csi.v1.Identity.service, identityHandlers({ log: o.log, ready }));
    server.addService(proto.csi.v1.Node.service, node.handlers());
  });
}

/**
 * Connecting to the volume's export: when the server, asked by the NBD handshake, has no such
 * export, NOT_FOUND (the spec's "volume does not exist": deleted, or not published to this node
 * any more); any other failure is UNAVAILABLE (not served yet, or the server is gone; the CO
 * retries), not INTERNAL.
 */
async function reaching<T>(volumeId: string, url: string, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (e) {
    const why = (e as Error).message;
    if ((await nbdExportKnown(url)) === 'unknown') {
      throw notFound(
        `volume ${volumeId} does not exist at ${url}: the server has no such export (deleted, or no longer published to this node)`,
      );
    }
    throw unavailable(`the volume's NBD export ${url} cannot be reached: ${why}`);
  }
}

/** How long NodeExpandVolume waits for the export to show the size ControllerExpandVolume set. */
const EXPORT_GROW_WAIT_MS = 10_000;

const CAPABILITIES = [
  'STAGE_UNSTAGE_VOLUME',
  'GET_VOLUME_STATS',
  'EXPAND_VOLUME',
  'VOLUME_CONDITION',
  'SINGLE_NODE_MULTI_WRITER',
] as const;

class NodeService {
  private readonly records: StageRecords;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly o: NodeServiceOptions,
    private readonly kernelNbd: boolean,
  ) {
    this.records = new StageRecords(o.stateDir);
    mkdirSync(join(o.stateDir, 'fuse'), { recursive: true });
  }

  handlers(): NodeHandlers {
    const log = this.o.log;
    return {
      NodeStageVolume: unary('NodeStageVolume', log, (r: NodeStageVolumeRequest__Output) => this.stage(r)),
      NodeUnstageVolume: unary('NodeUnstageVolume', log, (r: NodeUnstageVolumeRequest__Output) => this.unstage(r)),
      NodePublishVolume: unary('NodePublishVolume', log, (r: NodePublishVolumeRequest__Output) => this.publish(r)),
      NodeUnpublishVolume: unary('NodeUnpublishVolume', log, (r: NodeUnpublishVolumeRequest__Output) =>
        this.unpublish(r),
      ),
      NodeGetVolumeStats: unary('NodeGetVolumeStats', log, (r: NodeGetVolumeStatsRequest__Output) => this.stats(r)),
      NodeExpandVolume: unary('NodeExpandVolume', log, (r: NodeExpandVolumeRequest__Output) => this.expand(r)),
      NodeGetCapabilities: unary('NodeGetCapabilities', log, async () => ({
        capabilities: CAPABILITIES.map((type) => ({ rpc: { type } })),
      })),
      NodeGetInfo: unary('NodeGetInfo', log, async () => ({
        nodeId: this.o.nodeId,
        maxVolumesPerNode: this.o.maxVolumes ?? 0,
        // kubernetes.io/hostname is the node id: the controller matches requisite topologies
        // against node ids (controller-params.ts inTopology), and in Kubernetes the cairn node id
        // is the node's name, which kubelet's hostname label carries.
        accessibleTopology: { segments: { [TOPOLOGY_ZONE_KEY]: this.o.zone, [TOPOLOGY_HOSTNAME_KEY]: this.o.nodeId } },
      })),
    };
  }

  /** One call per volume at a time; the spec's ABORTED for a concurrent one. */
  private async guarded<T>(volumeId: string, fn: () => Promise<T>): Promise<T> {
    if (this.inFlight.has(volumeId)) throw aborted(`an operation on volume ${volumeId} is already in progress`);
    this.inFlight.add(volumeId);
    try {
      return await fn();
    } finally {
      this.inFlight.delete(volumeId);
    }
  }

  private fuseFiles(rec: StageRecord): { dir: string; file: string; pidFile: string; logFile: string } {
    const base = join(this.o.stateDir, 'fuse', recordFileName(rec.volumeId).replace(/\.json$/, ''));
    return { dir: `${base}.d`, file: `${base}.d/disk`, pidFile: `${base}.pid`, logFile: `${base}.log` };
  }

  // ---- NodeStageVolume / NodeUnstageVolume

  private async stage(r: NodeStageVolumeRequest__Output): Promise<object> {
    const req = parseStageRequest(r);
    return this.guarded(req.volumeId, async () => {
      let rec = this.records.get(req.volumeId);
      const fresh = stageDecision(rec, req) === 'stage';
      if (fresh) {
        // The path must be free: another volume staged there, or any mount at it, is refused
        // before anything is recorded or started (the fuzz pass, seed 1204409114, staged a volume
        // at another's staging path; undoing that failed stage unmounted the other volume).
        const other = this.records.stagedAt(req.stagingPath);
        if (other)
          throw failedPrecondition(
            `staging_target_path ${req.stagingPath} is where volume ${other.volumeId} is staged`,
          );
        if (mountAt(await os.mounts(), req.stagingPath))
          throw failedPrecondition(`staging_target_path ${req.stagingPath} is already a mount point`);
        rec = {
          volumeId: req.volumeId,
          stagingPath: req.stagingPath,
          nbdUrl: req.nbdUrl,
          access: req.access,
          accessMode: req.accessMode,
          ...(req.readonly ? { readonly: true } : {}),
          attach: this.kernelNbd ? { kind: 'nbd' } : { kind: 'nbdfuse', fuseDir: '' },
          publishes: {},
        };
        if (rec.attach.kind === 'nbdfuse') rec.attach.fuseDir = this.fuseFiles(rec).dir;
        this.records.put(rec);
      }
      const staged = rec!;
      try {
        await this.ensureDevice(staged);
        if (staged.access.kind === 'mount') await this.ensureStagingMount(staged);
      } catch (e) {
        // A first stage that fails leaves nothing behind (no nbdfuse, loop device or record), so
        // a retry with other parameters is not refused as incompatible with the failed one.
        if (fresh) {
          await this.releaseDevice(staged).then(
            () => this.records.delete(staged.volumeId),
            (undo: Error) =>
              this.o.log.warn(
                { volume: staged.volumeId },
                `csi NodeStageVolume ${staged.volumeId}: undoing the failed stage: ${undo.message}`,
              ),
          );
        }
        throw e;
      }
      return {};
    });
  }

  /** Makes (or finds) the volume's block device and records it. */
  private async ensureDevice(rec: StageRecord): Promise<string> {
    if (rec.attach.kind === 'nbd') {
      if (rec.device && existsSync(`/sys/block/${rec.device.replace('/dev/', '')}/pid`)) return rec.device;
      const device = os.freeNbdDevice();
      await reaching(rec.volumeId, rec.nbdUrl, () => os.nbdClientConnect(rec.nbdUrl, device));
      rec.device = device;
      this.records.put(rec);
      return device;
    }
    const f = this.fuseFiles(rec);
    const fuseMounted = mountAt(await os.mounts(), f.dir) !== null;
    if (!fuseMounted || !os.pidAlive(rec.attach.pid)) {
      // nbdfuse is not serving (never started, or died): clear what is left, start it again.
      if (rec.access.kind === 'mount' && mountAt(await os.mounts(), rec.stagingPath)) {
        throw failedPrecondition(
          `volume ${rec.volumeId}: nbdfuse serving its device is gone while ${rec.stagingPath} is mounted; unstage and stage it again`,
        );
      }
      for (const loop of os.loopsOf(f.file)) await os.losetupDetach(loop);
      if (rec.attach.pid && os.isNbdfuse(rec.attach.pid)) await os.stopNbdfuse(f.dir, rec.attach.pid, fuseMounted);
      else if (fuseMounted) await os.stopNbdfuse(f.dir, undefined, true);
      rec.device = undefined;
      mkdirSync(f.dir, { recursive: true });
      rmSync(f.pidFile, { force: true });
      rec.attach.pid = await reaching(rec.volumeId, rec.nbdUrl, () =>
        os.startNbdfuse(rec.nbdUrl, f.dir, f.pidFile, f.logFile),
      );
      this.records.put(rec);
    }
    if (rec.device && os.loopBackingFile(rec.device) === f.file) return rec.device;
    const device = os.loopsOf(f.file)[0] ?? (await os.losetupAttach(f.file));
    rec.device = device;
    this.records.put(rec);
    return device;
  }

  private async ensureStagingMount(rec: StageRecord): Promise<void> {
    if (rec.access.kind !== 'mount' || !rec.device) return;
    if (mountAt(await os.mounts(), rec.stagingPath)) return;
    mkdirSync(rec.stagingPath, { recursive: true });
    const fsType = rec.access.fsType;
    if (formatDecision(await os.blkid(rec.device), fsType, rec.device) === 'mkfs') {
      const [cmd, args] = mkfsCommand(fsType, rec.access.mkfsParams, rec.device);
      this.o.log.info(
        { volume: rec.volumeId },
        `csi: making a ${fsType} filesystem on ${rec.device} for volume ${rec.volumeId}`,
      );
      await os.must(cmd, args, 120_000);
    }
    await os.mount(rec.device, rec.stagingPath, {
      type: fsType,
      options: stagingMountOptions(rec.access, rec.accessMode, rec.readonly),
    });
  }

  /** Checks and grows an unmounted ext filesystem to its device's size (no-op for xfs). */
  private async growOffline(rec: StageRecord): Promise<void> {
    if (rec.access.kind !== 'mount' || !rec.device) return;
    const cmds = offlineGrowCommands(rec.access.fsType, rec.device);
    if (!cmds) return;
    if (formatDecision(await os.blkid(rec.device), rec.access.fsType, rec.device) === 'mkfs') return; // nothing to grow
    for (const [cmd, args] of cmds) {
      const r = await os.run(cmd, args, 300_000);
      if (cmd === 'e2fsck' ? !fsckOk(r.code) : r.code !== 0) {
        throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code}: ${(r.stderr || r.stdout).trim()}`);
      }
    }
  }

  private async unstage(r: NodeUnstageVolumeRequest__Output): Promise<object> {
    const { volumeId, path } = parseVolumeAndPath(r.volumeId, r.stagingTargetPath, 'staging_target_path');
    return this.guarded(volumeId, async () => {
      const rec = this.records.get(volumeId);
      if (!rec || rec.stagingPath !== path) {
        // Not staged (there): nothing to undo. A mount left at the path by a lost record goes,
        // unless another volume is staged there (found by the fuzz pass: unstaging an unknown
        // volume id at a staged volume's path unmounted that volume).
        if (!rec && !this.records.stagedAt(path) && mountAt(await os.mounts(), path)) await os.umount(path);
        return {};
      }
      const m = await os.mounts();
      const stillPublished = Object.keys(rec.publishes).filter((t) => mountAt(m, t));
      if (stillPublished.length)
        throw failedPrecondition(
          `volume ${volumeId} is still published at ${stillPublished.join(', ')}: unpublish it first`,
        );
      await this.releaseDevice(rec);
      this.records.delete(volumeId);
      return {};
    });
  }

  /** Unmounts the staging path, frees the device and stops nbdfuse. */
  private async releaseDevice(rec: StageRecord): Promise<void> {
    if (mountAt(await os.mounts(), rec.stagingPath)) await os.umount(rec.stagingPath);
    if (rec.attach.kind === 'nbd') {
      if (rec.device) await os.nbdClientDisconnect(rec.device);
    } else {
      const f = this.fuseFiles(rec);
      const loops = new Set([
        ...(rec.device && os.loopBackingFile(rec.device) === f.file ? [rec.device] : []),
        ...os.loopsOf(f.file),
      ]);
      for (const loop of loops) await os.losetupDetach(loop);
      const fuseMounted = mountAt(await os.mounts(), f.dir) !== null;
      const pid = rec.attach.pid && os.isNbdfuse(rec.attach.pid) ? rec.attach.pid : undefined;
      await os.stopNbdfuse(f.dir, pid, fuseMounted);
      try {
        rmdirSync(f.dir);
      } catch {
        /* gone already, or still a mountpoint: left for the next stage */
      }
      rmSync(f.pidFile, { force: true });
      rmSync(f.logFile, { force: true });
      rec.attach.pid = undefined;
    }
    rec.device = undefined;
    this.records.put(rec);
  }

  // ---- NodePublishVolume / NodeUnpublishVolume

  private async publish(r: NodePublishVolumeRequest__Output): Promise<object> {
    const req = parsePublishRequest(r);
    return this.guarded(req.volumeId, async () => {
      const rec = this.records.get(req.volumeId);
      publishDecision(rec, req);
      const staged = rec!;
      const device = staged.device!;
      const m = await os.mounts();
      const pub = staged.publishes[req.targetPath] ?? {
        readonly: req.readonly,
        access: req.access,
        accessMode: req.accessMode,
      };
      const mounted = mountAt(m, req.targetPath);
      // A mount already at the target is this publish done before, or someone else's: that one
      // is not taken for ours (nor mounted over).
      if (mounted) {
        const own =
          staged.access.kind === 'mount'
            ? { stagingMount: mountAt(m, staged.stagingPath) }
            : { device: pub.device ?? device };
        if (!isPublishMount(mounted, own)) {
          throw failedPrecondition(
            `target_path ${req.targetPath} is already a mount point (${mounted.fsType} ${mounted.source}${mounted.root === '/' ? '' : ` ${mounted.root}`})` +
              ` that is not volume ${req.volumeId}`,
          );
        }
      }
      if (staged.access.kind === 'mount') {
        if (!mounted) {
          // target_path is ours to make (the CO makes its parent; one that does not gets it made too).
          mkdirSync(req.targetPath, { recursive: true });
          await os.mount(staged.stagingPath, req.targetPath, { bind: true });
          if (req.readonly) await os.remountBindReadOnly(req.targetPath);
        }
      } else {
        // A read-only mount does not stop writes to a device node: a read-only publish gets its
        // own read-only loop device over the staged one.
        if (req.readonly && !(pub.device && os.loopBackingFile(pub.device) === device)) {
          pub.device = await os.losetupAttach(device, true);
        }
        staged.publishes[req.targetPath] = pub;
        this.records.put(staged);
        if (!mounted) {
          // The block device is placed at target_path as a file a bind mount covers.
          if (!existsSync(req.targetPath)) {
            mkdirSync(dirname(req.targetPath), { recursive: true });
            writeFileSync(req.targetPath, '');
          }
          await os.mount(pub.device ?? device, req.targetPath, { bind: true });
        }
      }
      staged.publishes[req.targetPath] = pub;
      this.records.put(staged);
      return {};
    });
  }

  private async unpublish(r: NodeUnpublishVolumeRequest__Output): Promise<object> {
    const { volumeId, path } = parseVolumeAndPath(r.volumeId, r.targetPath, 'target_path');
    return this.guarded(volumeId, async () => {
      // Whatever is mounted at a target path goes (a publish whose record was lost included),
      // but a staging path is no target (found by the fuzz pass: unpublishing a volume "at" its
      // staging path unmounted and removed the staging mount under the staged volume).
      const staged = this.records.stagedAt(path);
      if (staged)
        throw invalid(
          `target_path ${path} is where volume ${staged.volumeId} is staged, not a publish target: NodeUnstageVolume undoes a stage`,
        );
      // Nor is another volume's publish this one's to undo: this volume is not published there.
      const other = this.records.publishedAt(path);
      if (other && other.volumeId !== volumeId) {
        this.o.log.warn(
          { volume: volumeId },
          `csi NodeUnpublishVolume ${volumeId}: ${path} is where volume ${other.volumeId} is published; left alone`,
        );
        return {};
      }
      while (mountAt(await os.mounts(), path)) await os.umount(path);
      // The target is ours to remove (we made it): an empty directory or the block device's file.
      if (existsSync(path)) {
        if (!statSync(path).isDirectory()) rmSync(path, { force: true });
        else {
          try {
            rmdirSync(path);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw e;
            throw failedPrecondition(`target_path ${path} is not a mount and not empty: not this plugin's to remove`);
          }
        }
      }
      const rec = this.records.get(volumeId);
      const pub = rec?.publishes[path];
      if (rec && pub) {
        if (pub.device && os.loopBackingFile(pub.device) === rec.device) await os.losetupDetach(pub.device);
        delete rec.publishes[path];
        this.records.put(rec);
      }
      return {};
    });
  }

  // ---- NodeGetVolumeStats / NodeExpandVolume

  /** The record of the volume a lookup names, at a path that exists; else NOT_FOUND (see `locate`). */
  private recordAt(q: VolumeLookup): StageRecord {
    const rec = locate(this.records.get(q.volumeId), q);
    if (!existsSync(q.volumePath)) throw notFound(`volume_path ${q.volumePath} does not exist`);
    return rec;
  }

  /** Why the volume is not healthy on this node, or null. */
  private async abnormality(rec: StageRecord): Promise<string | null> {
    if (!rec.device) return 'the volume has no block device (staging did not finish)';
    if (rec.attach.kind === 'nbdfuse') {
      const f = this.fuseFiles(rec);
      if (!os.pidAlive(rec.attach.pid))
        return `nbdfuse (pid ${rec.attach.pid ?? '?'}) serving ${rec.nbdUrl} is not running`;
      if (os.loopBackingFile(rec.device) !== f.file) return `${rec.device} is no longer attached to nbdfuse's file`;
    } else if (!existsSync(`/sys/block/${rec.device.replace('/dev/', '')}/pid`)) {
      return `${rec.device} is not connected to ${rec.nbdUrl}`;
    }
    if (rec.access.kind === 'mount' && !mountAt(await os.mounts(), rec.stagingPath))
      return `the filesystem is not mounted at ${rec.stagingPath}`;
    return os.probeRead(rec.device);
  }

  private async stats(r: NodeGetVolumeStatsRequest__Output): Promise<object> {
    const q = parseLookup(r);
    const path = q.volumePath;
    const rec = this.recordAt(q);
    const problem = await this.abnormality(rec);
    const volumeCondition = { abnormal: problem !== null, message: problem ?? 'healthy' };
    let usage: ReturnType<typeof usageOf> = [];
    try {
      usage =
        rec.access.kind === 'mount'
          ? usageOf({ kind: 'mount', ...(await os.statfsOf(path)) })
          : usageOf({ kind: 'block', bytes: await os.deviceBytes(rec.device!) });
    } catch (e) {
      if (!problem) return { usage, volumeCondition: { abnormal: true, message: (e as Error).message } };
    }
    return { usage, volumeCondition };
  }

  private async expand(r: NodeExpandVolumeRequest__Output): Promise<object> {
    const q = parseLookup(r);
    const volumeId = q.volumeId;
    return this.guarded(volumeId, async () => {
      const rec = this.recordAt(q);
      expandCapabilityCheck(rec, r.volumeCapability);
      if (!rec.device) throw failedPrecondition(`volume ${volumeId} has no device: stage it again`);
      const requiredBytes = Number(r.capacityRange?.requiredBytes ?? 0);
      const limitBytes = Number(r.capacityRange?.limitBytes ?? 0);
      // ControllerExpandVolume returns once the larger size is recorded; the engine serving the
      // export applies it a moment later. Give it that moment before calling the size too small.
      let exportBytes = await reaching(rec.volumeId, rec.nbdUrl, () => os.exportBytes(rec.nbdUrl));
      for (const deadline = Date.now() + EXPORT_GROW_WAIT_MS; exportBytes < requiredBytes && Date.now() < deadline;) {
        await new Promise((ok) => setTimeout(ok, 250));
        exportBytes = await reaching(rec.volumeId, rec.nbdUrl, () => os.exportBytes(rec.nbdUrl));
      }
      const decision = expandDecision({
        volumeId,
        requiredBytes,
        limitBytes,
        deviceBytes: await os.deviceBytes(rec.device),
        exportBytes,
        published: Object.keys(rec.publishes),
      });
      const published = Object.keys(rec.publishes);
      if (decision === 'reattach') {
        // Staged, not published: make the device again so it has the export's new size, and grow
        // the filesystem before mounting it again where that can be done offline.
        this.o.log.info(
          { volume: volumeId },
          `csi NodeExpandVolume ${volumeId}: re-attaching ${rec.device} to see the export's new size`,
        );
        await this.releaseDevice(rec);
        await this.ensureDevice(rec);
        if (rec.access.kind === 'mount') {
          await this.growOffline(rec);
          await this.ensureStagingMount(rec);
        }
      }
      if (rec.access.kind === 'mount') {
        // Online growth: a no-op when the filesystem already fills the device.
        const [cmd, args] = growFsCommand(rec.access.fsType, rec.device!, rec.stagingPath);
        const online = await os.run(cmd, args, 120_000);
        if (online.code !== 0) {
          const why = `${cmd} ${args.join(' ')}: ${(online.stderr || online.stdout).trim().split('\n').pop()}`;
          if (published.length || offlineGrowCommands(rec.access.fsType, rec.device!) === null) {
            throw failedPrecondition(
              `volume ${volumeId}: growing the mounted filesystem failed (${why}); unpublish it and retry to grow it offline`,
            );
          }
          this.o.log.warn(
            { volume: volumeId },
            `csi NodeExpandVolume ${volumeId}: online growth refused (${why}); growing it unmounted`,
          );
          if (mountAt(await os.mounts(), rec.stagingPath)) await os.umount(rec.stagingPath);
          await this.growOffline(rec);
          await this.ensureStagingMount(rec);
        }
      }
      return { capacityBytes: await os.deviceBytes(rec.device!) };
    });
  }
}

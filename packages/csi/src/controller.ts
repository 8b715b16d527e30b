// The CSI Controller service, served by the manager on --csi-socket next to Identity. It is a
// client of the manager's admin API: volumes, attachments and snapshots are the admin's; this
// translates. Every handler has one shape: validate the request (INVALID_ARGUMENT naming the
// field) -> take the in-flight guard of the volume or snapshot (ABORTED when held) -> look up
// what exists and answer from it when the call was already done (idempotency) -> act.
// Decisions live in pure modules: controller-params (request parsing), controller-capacity
// (placement and capacity), controller-paging (tokens), controller-views (admin -> CSI),
// errors (admin codes -> the spec's).
import * as grpc from '@grpc/grpc-js';
import type { Node__Output, Snapshot__Output, Volume__Output } from '@cairn/api';
import { DEFAULT_FS_TYPE } from '@cairn/schema';
import { csiProto } from './proto.js';
import type { ControllerHandlers } from './proto.js';
import { identityHandlers } from './identity.js';
import { serveUnix } from './server.js';
import type { UnixServer } from './server.js';
import {
  aborted,
  alreadyExists,
  CsiError,
  exhausted,
  failedPrecondition,
  invalid,
  notFound,
  required,
  unary,
  unimplemented,
} from './errors.js';
import type { Log } from './errors.js';
import { PUBLISH_CONTEXT, parseSnapshotId, snapshotId } from './contract.js';
import { controllerAdmin } from './controller-admin.js';
import type { AdminConnection, ControllerAdmin } from './controller-admin.js';
import {
  checkCoName,
  isCairnName,
  isNodeId,
  isSnapshotName,
  snapshotNameFor,
  volumeIdFor,
} from './controller-names.js';
import { checkSnapshotParameters } from './controller-snapshot-params.js';
import { parseStorageClass } from './storage-class.js';
import { InFlight, snapshotKey, volumeKey } from './controller-inflight.js';
import {
  accessibility,
  capabilityProblem,
  checkCapabilities,
  checkCapability,
  chooseSize,
  dataSourceOf,
  describeSource,
  expandSize,
  nodesInTopology,
  parseContentSource,
  resolveFsType,
  SIZE_ALIGN,
} from './controller-params.js';
import type { ContentSource, Place } from './controller-params.js';
import {
  antiAffinityLevel,
  availableCapacity,
  candidates,
  capacitySettings,
  checkPlacement,
  expansionProblems,
  maximumVolumeSize,
} from './controller-capacity.js';
import { page } from './controller-paging.js';
import { incompatibility } from './controller-compat.js';
import { csiSnapshot, csiVolume, publishedNodes, volumeCondition, volumeContext } from './controller-views.js';
import type { Snapshot, VolumeContentSource } from './types.js';

export interface ControllerServiceOptions {
  /** Unix socket path to serve on. */
  socket: string;
  /** The admin API of the manager this runs in (the controller is a client of it). */
  admin: AdminConnection;
  log: Log;
  /** How long ControllerPublish/Unpublish wait for the engine to start or stop (default 60 s). */
  attachTimeoutMs?: number;
}

export interface ControllerOptions {
  admin: ControllerAdmin;
  log: Log;
  attachTimeoutMs?: number;
  /** Interval of the attach/detach polls. */
  pollMs?: number;
}

/** What this controller implements, as ControllerGetCapabilities reports it. */
export const CONTROLLER_CAPABILITIES = [
  'CREATE_DELETE_VOLUME',
  'PUBLISH_UNPUBLISH_VOLUME',
  'LIST_VOLUMES',
  'GET_CAPACITY',
  'CREATE_DELETE_SNAPSHOT',
  'LIST_SNAPSHOTS',
  'CLONE_VOLUME',
  'PUBLISH_READONLY',
  'EXPAND_VOLUME',
  'LIST_VOLUMES_PUBLISHED_NODES',
  'VOLUME_CONDITION',
  'GET_VOLUME',
  'SINGLE_NODE_MULTI_WRITER',
  'GET_SNAPSHOT',
] as const;

/** What a wait needs of the gRPC call: whether the caller is still there. */
type Waiting = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'cancelled' | 'getDeadline'>;
/** A StorageClass that asks for encryption at rest is refused, not served in clear. */
const NO_ENCRYPTION =
  'parameter encrypted "true": cairn does not encrypt volume data at rest' +
  ', and will not store a volume in clear that its StorageClass says is encrypted' +
  '; use a class without encrypted, or encrypt inside the volume (e.g. LUKS in the pod)';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const places = (nodes: Node__Output[]): Place[] => nodes.map((n) => ({ id: n.id, zone: n.zone }));
const isCode = (e: unknown, code: grpc.status): boolean => e instanceof CsiError && e.code === code;

function echoSource(s: ContentSource): VolumeContentSource {
  return s.kind === 'snapshot'
    ? { snapshot: { snapshotId: snapshotId(s.volume, s.snapshot) } }
    : { volume: { volumeId: s.volume } };
}

export function controllerHandlers(o: ControllerOptions): ControllerHandlers {
  const { admin, log } = o;
  const inflight = new InFlight();
  /**
   * The readonly flag of the publish this controller last answered, per volume. The admin API does
   * not record it, so it lives here: a publish to the same node with the other flag is the spec's
   * ALREADY_EXISTS while that attachment lasts. It is lost when the manager restarts and is not
   * shared with other managers' controllers; then a changed flag is answered, not refused.
   */
  const publishedReadonly = new Map<string, { node: string; readonly: boolean }>();
  const attachTimeoutMs = o.attachTimeoutMs ?? 60_000;
  const pollMs = o.pollMs ?? 200;

  // Ids are whatever the CO hands back (any string of up to 128 bytes): one that is not a cairn
  // name names nothing this driver made, so it is not found, never an invalid argument.
  /** The volume with that id, or null. */
  const findVolume = (id: string): Promise<Volume__Output | null> =>
    isCairnName(id) ? admin.findVolume(id) : Promise.resolve(null);
  /** The volume with that id, or NOT_FOUND naming it. */
  async function getVolume(id: string): Promise<Volume__Output> {
    const v = await findVolume(id);
    if (!v) throw notFound(`volume "${id}" does not exist`);
    return v;
  }

  /** The source's size, or NOT_FOUND naming it. */
  async function sourceSize(s: ContentSource): Promise<number> {
    if (s.kind === 'volume') {
      const v = await findVolume(s.volume);
      if (!v) throw notFound(`source volume "${s.volume}" does not exist`);
      return v.size;
    }
    const snap = (await snapshotsOf(s.volume)).find((x) => x.name === s.snapshot);
    if (!snap) throw notFound(`source snapshot "${snapshotId(s.volume, s.snapshot)}" does not exist`);
    return snap.size;
  }

  /** A volume's snapshots; none when the volume does not exist. */
  async function snapshotsOf(volume: string): Promise<Snapshot__Output[]> {
    if (!isCairnName(volume)) return [];
    try {
      return (await admin.listSnapshots({ name: volume })).snapshots;
    } catch (e) {
      if (isCode(e, grpc.status.NOT_FOUND)) return [];
      throw e;
    }
  }

  async function allSnapshots(): Promise<Snapshot__Output[]> {
    const { volumes } = await admin.listVolumes();
    // One call per volume: the admin API lists snapshots by volume. Fine for hundreds of volumes.
    const lists = await Promise.all(volumes.map((v) => snapshotsOf(v.name)));
    return lists.flat();
  }

  /**
   * Polls the volume until `done` says so; DEADLINE_EXCEEDED with its last state after the
   * timeout, or as soon as the caller has given up (so its retry is not ABORTED by a wait nobody
   * listens to any more).
   */
  async function waitFor(
    call: Waiting,
    name: string,
    what: string,
    done: (v: Volume__Output | null) => boolean,
  ): Promise<Volume__Output | null> {
    const asked = call.getDeadline();
    const callDeadline = asked instanceof Date ? asked.getTime() : asked;
    const deadline = Math.min(Date.now() + attachTimeoutMs, Number.isFinite(callDeadline) ? callDeadline : Infinity);
    for (;;) {
      const v = await admin.findVolume(name);
      if (done(v)) return v;
      if (call.cancelled)
        throw new CsiError(grpc.status.CANCELLED, `the caller gave up waiting for volume "${name}" to be ${what}`);
      if (Date.now() > deadline) {
        throw new CsiError(
          grpc.status.DEADLINE_EXCEEDED,
          `volume "${name}" is not ${what} yet (state ${v?.state ?? 'gone'}${v?.attachedTo ? ` on ${v.attachedTo}` : ''}); try again`,
        );
      }
      await sleep(pollMs);
    }
  }

  return {
    CreateVolume: unary('CreateVolume', log, async (req) => {
      const coName = checkCoName('name', req.name);
      const caps = checkCapabilities(req.volumeCapabilities);
      const sc = parseStorageClass(req.parameters);
      const params = sc.volume;
      const fsType = resolveFsType(params, caps);
      if (Object.keys(req.mutableParameters).length > 0)
        throw invalid('mutable_parameters are not supported (this driver has no MODIFY_VOLUME)');
      if (sc.encrypted) throw failedPrecondition(NO_ENCRYPTION);
      const source = parseContentSource(req.volumeContentSource);
      if (sc.fromBackup && source)
        throw invalid('parameter fromBackup and volume_content_source both name what the volume starts as: give one');
      // Without a source the size is known now, so a bad range is refused before anything is asked.
      const plainSize = source ? 0 : chooseSize(req.capacityRange);
      const name = volumeIdFor(coName);
      return inflight.run([volumeKey(name)], 'CreateVolume', async () => {
        const [existing, { nodes }] = await Promise.all([admin.findVolume(name), admin.listNodes()]);
        const access = accessibility(req.accessibilityRequirements, places(nodes));
        const echo = source ? echoSource(source) : null;
        if (existing) {
          // The id is the name's; a volume made for another CO name under it is not this one.
          if (existing.csiName && existing.csiName !== coName) {
            throw alreadyExists(
              `volume "${name}" already exists for CSI name ${JSON.stringify(existing.csiName)}, not ${JSON.stringify(coName)}`,
            );
          }
          const why = incompatibility(existing, {
            range: req.capacityRange,
            params,
            fsType: params.fsType || caps.fsType ? fsType : null,
            source,
            fromBackup: sc.fromBackup,
          });
          if (why)
            throw alreadyExists(
              `volume "${name}"${name !== coName ? ` (CSI name ${JSON.stringify(coName)})` : ''} already exists and ${why}`,
            );
          return { volume: csiVolume(existing, access.topology, echo) };
        }
        // From a backup without required_bytes: the backup's size (0 asks the admin for it).
        const size = source
          ? chooseSize(req.capacityRange, { what: describeSource(source), size: await sourceSize(source) })
          : sc.fromBackup && !req.capacityRange?.requiredBytes
            ? 0
            : plainSize;
        const { settings } = await admin.getSettings();
        const cs = capacitySettings(settings);
        const replicas = params.numberOfReplicas ?? cs.defaultReplicaCount;
        const locality =
          params.dataLocality ?? settings.find((s) => s.name === 'default-data-locality')?.value ?? 'disabled';
        // A strict-local replica lives on the node the volume attaches to, so it must fit in the topology.
        const onlyNodes =
          locality === 'strict-local' && access.topology ? new Set(access.nodes.map((n) => n.id)) : null;
        const placement = checkPlacement(
          nodes,
          cs,
          { nodeSelector: params.nodeSelector ?? [], diskSelector: params.diskSelector ?? [], onlyNodes },
          size,
          replicas,
        );
        if (!placement.ok) throw exhausted(`volume "${name}": ${placement.reason}`);
        // The admin's create is idempotent by name (and refuses another csi_name under it), so a
        // retry through another manager, or after a leader change mid-create, finds this volume.
        const v = await admin.createVolume({
          name,
          size,
          numberOfReplicas: params.numberOfReplicas ?? 0,
          dataLocality: params.dataLocality ?? '',
          diskSelector: params.diskSelector ?? [],
          nodeSelector: params.nodeSelector ?? [],
          replicaAutoBalance: params.replicaAutoBalance ?? '',
          staleReplicaTimeout: params.staleReplicaTimeout ?? 0,
          fsType,
          mkfsParams: params.mkfsParams ?? '',
          accessMode: 'rwo',
          dataSource: source ? dataSourceOf(source) : '',
          replicaSoftAntiAffinity: params.replicaSoftAntiAffinity ?? '',
          replicaZoneSoftAntiAffinity: params.replicaZoneSoftAntiAffinity ?? '',
          replicaDiskSoftAntiAffinity: params.replicaDiskSoftAntiAffinity ?? '',
          csiName: coName,
          kubernetes: sc.kubernetes,
          unsupportedParameters: sc.unsupported,
          recurringJobSelector: sc.recurringJobSelector ?? [],
          recurringJobs: sc.recurringJobs ?? [],
          // Restored from the backup before it can be published (ControllerPublish is refused
          // FAILED_PRECONDITION until then, and the attacher retries); the admin refuses a size
          // below the backup's.
          fromBackup: sc.fromBackup,
        });
        log.info(
          { volume: name },
          `csi CreateVolume: created ${name}${name !== coName ? ` for ${JSON.stringify(coName)}` : ''}` +
            ` (${v.size} bytes, ${replicas} replicas${source ? `, from ${describeSource(source)}` : ''}${sc.fromBackup ? `, restoring ${sc.fromBackup}` : ''})`,
        );
        return { volume: csiVolume(v, access.topology, echo) };
      });
    }),

    DeleteVolume: unary('DeleteVolume', log, async (req) => {
      const id = required('volume_id', req.volumeId);
      return inflight.run([volumeKey(id)], 'DeleteVolume', async () => {
        const v = await findVolume(id);
        if (!v) return {};
        const snaps = await snapshotsOf(id);
        if (snaps.length > 0) {
          // Snapshots live in the volume's replicas: the spec's answer for dependent snapshots.
          throw failedPrecondition(
            `volume "${id}" has ${snaps.length} snapshot(s) (${snaps
              .slice(0, 5)
              .map((s) => snapshotId(id, s.name))
              .join(', ')}): delete them first; they live in its replicas`,
          );
        }
        // Attached (or detaching): the admin refuses with FAILED_PRECONDITION naming the node.
        await admin.deleteVolume({ name: id });
        publishedReadonly.delete(id);
        return {};
      });
    }),

    ControllerPublishVolume: unary('ControllerPublishVolume', log, async (req, call) => {
      const id = required('volume_id', req.volumeId);
      const nodeId = required('node_id', req.nodeId);
      checkCapability(req.volumeCapability, 'volume_capability');
      return inflight.run([volumeKey(id)], 'ControllerPublishVolume', async () => {
        const before = await getVolume(id);
        if (!isNodeId(nodeId)) throw notFound(`node "${nodeId}" does not exist`);
        const had = publishedReadonly.get(id);
        const sameAttachment =
          before.attachedTo === nodeId && (before.state === 'attached' || before.state === 'attaching');
        if (had && had.node === nodeId && sameAttachment && had.readonly !== req.readonly) {
          throw alreadyExists(
            `volume "${id}" is published on ${nodeId} ${had.readonly ? 'read-only' : 'read-write'}` +
              `, not ${req.readonly ? 'read-only' : 'read-write'}: unpublish it first`,
          );
        }
        // NOT_FOUND (volume or node), FAILED_PRECONDITION (published to another node, node down) come from the admin.
        await admin.attachVolume({ name: id, nodeId });
        const v = (await waitFor(call, id, `attached on ${nodeId}`, (x) => {
          if (!x) throw notFound(`volume "${id}" was deleted while being published`);
          if (x.attachedTo !== nodeId || x.state === 'detached' || x.state === 'detaching') {
            throw aborted(
              `volume "${id}" was detached from ${nodeId} while being published (now ${x.state}${x.attachedTo ? ` on ${x.attachedTo}` : ''})`,
            );
          }
          return x.state === 'attached' && x.endpoint !== '';
        }))!;
        const ctx = volumeContext(v);
        publishedReadonly.set(id, { node: nodeId, readonly: req.readonly });
        return {
          publishContext: {
            [PUBLISH_CONTEXT.nbdUrl]: v.endpoint,
            ...ctx,
            ...(req.readonly ? { [PUBLISH_CONTEXT.readonly]: 'true' } : {}),
          },
        };
      });
    }),

    ControllerUnpublishVolume: unary('ControllerUnpublishVolume', log, async (req, call) => {
      const id = required('volume_id', req.volumeId);
      const nodeId = req.nodeId;
      return inflight.run([volumeKey(id)], 'ControllerUnpublishVolume', async () => {
        const v = await findVolume(id);
        if (!v || v.state === 'detached') publishedReadonly.delete(id);
        // Not there, not attached, or attached elsewhere: unpublished from this node already.
        if (!v || v.state === 'detached' || (nodeId && v.attachedTo !== nodeId)) return {};
        const from = v.attachedTo;
        if (v.state !== 'detaching') {
          try {
            await admin.detachVolume({ name: id });
          } catch (e) {
            if (isCode(e, grpc.status.NOT_FOUND)) return {};
            throw e;
          }
        }
        await waitFor(call, id, `detached from ${from}`, (x) => !x || x.state === 'detached' || x.attachedTo !== from);
        publishedReadonly.delete(id);
        return {};
      });
    }),

    ValidateVolumeCapabilities: unary('ValidateVolumeCapabilities', log, async (req) => {
      const id = required('volume_id', req.volumeId);
      if (req.volumeCapabilities.length === 0) throw invalid('volume_capabilities is required');
      const v = await getVolume(id);
      const no = (message: string) => ({ message });
      for (const [i, c] of req.volumeCapabilities.entries()) {
        const problem = capabilityProblem(c, `volume_capabilities[${i}]`);
        if (problem) return no(problem);
        const fs = c.mount?.fsType ?? '';
        if (fs && fs !== (v.fsType || DEFAULT_FS_TYPE))
          return no(`volume_capabilities[${i}].mount.fs_type ${fs}: volume "${id}" has ${v.fsType || DEFAULT_FS_TYPE}`);
      }
      if (Object.keys(req.mutableParameters).length > 0)
        return no('mutable_parameters are not supported (this driver has no MODIFY_VOLUME)');
      try {
        parseStorageClass(req.parameters);
      } catch (e) {
        if (e instanceof CsiError) return no(e.message);
        throw e;
      }
      // Only our own keys are compared: the CO may add its own (the provisioner's identity, say).
      const ctx = volumeContext(v);
      for (const k of [PUBLISH_CONTEXT.fsType, PUBLISH_CONTEXT.mkfsParams]) {
        const val = req.volumeContext[k];
        if (val !== undefined && ctx[k] !== val)
          return no(
            `volume_context ${k}="${val}" is not volume "${id}"'s (${ctx[k] === undefined ? 'unset' : `"${ctx[k]}"`})`,
          );
      }
      return {
        confirmed: {
          volumeContext: req.volumeContext,
          volumeCapabilities: req.volumeCapabilities,
          parameters: req.parameters,
          mutableParameters: {},
        },
      };
    }),

    ListVolumes: unary('ListVolumes', log, async (req) => {
      const { volumes } = await admin.listVolumes();
      const p = page('vol', volumes, (v) => v.name, req.maxEntries, req.startingToken);
      return {
        entries: p.items.map((v) => ({
          volume: csiVolume(v),
          status: { publishedNodeIds: publishedNodes(v), volumeCondition: volumeCondition(v) },
        })),
        nextToken: p.nextToken,
      };
    }),

    GetCapacity: unary('GetCapacity', log, async (req) => {
      if (req.volumeCapabilities.length > 0) checkCapabilities(req.volumeCapabilities);
      const params = parseStorageClass(req.parameters).volume;
      const [{ nodes }, { settings }] = await Promise.all([admin.listNodes(), admin.getSettings()]);
      const cs = capacitySettings(settings);
      const inTopology = nodesInTopology(req.accessibleTopology, places(nodes));
      // No cairn node in that topology: nothing there can reach a volume.
      if (inTopology.length === 0)
        return { availableCapacity: 0, maximumVolumeSize: { value: 0 }, minimumVolumeSize: { value: SIZE_ALIGN } };
      const locality =
        params.dataLocality ?? settings.find((s) => s.name === 'default-data-locality')?.value ?? 'disabled';
      const onlyNodes =
        locality === 'strict-local' && req.accessibleTopology ? new Set(inTopology.map((n) => n.id)) : null;
      const { disks } = candidates(nodes, cs, {
        nodeSelector: params.nodeSelector ?? [],
        diskSelector: params.diskSelector ?? [],
        onlyNodes,
      });
      const level = antiAffinityLevel(cs);
      const replicas = params.numberOfReplicas ?? cs.defaultReplicaCount;
      return {
        availableCapacity: availableCapacity(disks, level, replicas),
        maximumVolumeSize: { value: maximumVolumeSize(disks, level, replicas) },
        minimumVolumeSize: { value: SIZE_ALIGN },
      };
    }),

    ControllerGetCapabilities: unary('ControllerGetCapabilities', log, async () => ({
      capabilities: CONTROLLER_CAPABILITIES.map((type) => ({ rpc: { type } })),
    })),

    CreateSnapshot: unary('CreateSnapshot', log, async (req) => {
      const volume = required('source_volume_id', req.sourceVolumeId);
      const coName = checkCoName('name', req.name);
      checkSnapshotParameters(req.parameters);
      const name = snapshotNameFor(coName);
      return inflight.run([snapshotKey(name)], 'CreateSnapshot', async () => {
        if (!isCairnName(volume)) throw notFound(`volume "${volume}" does not exist`);
        const own = (await admin.listSnapshots({ name: volume })).snapshots.find((s) => s.name === name);
        if (own) return { snapshot: csiSnapshot(own) };
        // Snapshot names are per volume in cairn, CSI names are global: the name must be free everywhere.
        const taken = (await allSnapshots()).find((s) => s.name === name);
        if (taken) {
          throw alreadyExists(
            `snapshot name ${JSON.stringify(coName)} is taken by ${snapshotId(taken.volume, taken.name)}` +
              `, a snapshot of volume "${taken.volume}", not "${volume}"`,
          );
        }
        const s = await admin.createSnapshot({ volume, name });
        log.info(
          { volume },
          `csi CreateSnapshot: ${snapshotId(volume, name)}${name !== coName ? ` for ${JSON.stringify(coName)}` : ''}`,
        );
        return { snapshot: csiSnapshot(s) };
      });
    }),

    DeleteSnapshot: unary('DeleteSnapshot', log, async (req) => {
      const id = required('snapshot_id', req.snapshotId);
      const p = parseSnapshotId(id);
      // Not an id this driver made: there is nothing by that id to delete.
      if (!p || !isCairnName(p.volume) || !isSnapshotName(p.snapshot)) return {};
      return inflight.run([snapshotKey(p.snapshot)], 'DeleteSnapshot', async () => {
        try {
          await admin.deleteSnapshot({ volume: p.volume, name: p.snapshot });
        } catch (e) {
          if (!isCode(e, grpc.status.NOT_FOUND)) throw e;
        }
        return {};
      });
    }),

    ListSnapshots: unary('ListSnapshots', log, async (req) => {
      let snaps: Snapshot__Output[];
      if (req.snapshotId) {
        const p = parseSnapshotId(req.snapshotId);
        snaps =
          p && (!req.sourceVolumeId || req.sourceVolumeId === p.volume)
            ? (await snapshotsOf(p.volume)).filter((s) => s.name === p.snapshot)
            : [];
      } else if (req.sourceVolumeId) {
        snaps = await snapshotsOf(req.sourceVolumeId);
      } else snaps = await allSnapshots();
      const pg = page(
        'snap',
        snaps.map(csiSnapshot),
        (s: Snapshot) => s.snapshotId ?? '',
        req.maxEntries,
        req.startingToken,
      );
      return { entries: pg.items.map((snapshot) => ({ snapshot })), nextToken: pg.nextToken };
    }),

    GetSnapshot: unary('GetSnapshot', log, async (req) => {
      const id = required('snapshot_id', req.snapshotId);
      const p = parseSnapshotId(id);
      const s = p ? (await snapshotsOf(p.volume)).find((x) => x.name === p.snapshot) : undefined;
      if (!s) throw notFound(`snapshot "${id}" does not exist`);
      return { snapshot: csiSnapshot(s) };
    }),

    ControllerExpandVolume: unary('ControllerExpandVolume', log, async (req) => {
      const id = required('volume_id', req.volumeId);
      if (!req.capacityRange) throw invalid('capacity_range is required');
      const cap = req.volumeCapability ? checkCapability(req.volumeCapability, 'volume_capability') : null;
      return inflight.run([volumeKey(id)], 'ControllerExpandVolume', async () => {
        const v = await getVolume(id);
        const size = expandSize(req.capacityRange, v.size);
        if (size > v.size) {
          const [{ nodes }, { settings }] = await Promise.all([admin.listNodes(), admin.getSettings()]);
          const live = v.replicas.filter((r) => r.state !== 'failed').map((r) => ({ node: r.node, disk: r.disk }));
          const problems = expansionProblems(nodes, capacitySettings(settings), live, v.size, size);
          if (problems.length)
            throw exhausted(
              `volume "${id}" cannot grow to ${size} bytes where its replicas are: ${problems.join('; ')}`,
            );
        }
        const after = size > v.size ? await admin.expandVolume({ name: id, size }) : v;
        // A block volume is used as it is; a file system must be grown by NodeExpandVolume.
        return { capacityBytes: after.size, nodeExpansionRequired: cap ? !cap.block : true };
      });
    }),

    ControllerGetVolume: unary('ControllerGetVolume', log, async (req) => {
      const id = required('volume_id', req.volumeId);
      const v = await getVolume(id);
      return {
        volume: csiVolume(v),
        status: { publishedNodeIds: publishedNodes(v), volumeCondition: volumeCondition(v) },
      };
    }),

    ControllerModifyVolume: unary('ControllerModifyVolume', log, async () => {
      throw unimplemented('ControllerModifyVolume is not supported (no MODIFY_VOLUME capability)');
    }),
  };
}

export async function startControllerService(o: ControllerServiceOptions): Promise<UnixServer> {
  const proto = csiProto();
  const admin = controllerAdmin(o.admin);
  const ready = async (): Promise<boolean> =>
    admin.getClusterInfo().then(
      () => true,
      () => false,
    );
  const server = await serveUnix(o.socket, (s) => {
    s.addService(proto.csi.v1.Identity.service, identityHandlers({ log: o.log, ready }));
    s.addService(
      proto.csi.v1.Controller.service,
      controllerHandlers({
        admin,
        log: o.log,
        ...(o.attachTimeoutMs !== undefined ? { attachTimeoutMs: o.attachTimeoutMs } : {}),
      }),
    );
  }).catch((e: unknown) => {
    admin.close();
    throw e;
  });
  return {
    endpoint: server.endpoint,
    close: async () => {
      await server.close();
      admin.close();
    },
  };
}

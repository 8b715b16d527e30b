// Bad input everywhere (issue 7, section 2): a seeded fuzz pass over the admin API, the
// node-facing API, the CSI services and the NBD frontend of a `cairn up` cluster. Requests are
// built from the proto definitions (test/support/fuzz.ts), mutated one field at a time from valid
// ones, and damaged on the wire. Every call answers within a deadline with an allowed code; every
// refused call leaves the state hash where it was; the processes survive with clean logs; and
// nbdinfo/nbdcopy still read the export (with the bytes the accepted writes put there).
//
// The seed is printed first; CAIRN_FUZZ_SEED=<n> replays a run, CAIRN_FUZZ_SCALE=<k> runs k times
// as many iterations.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { nodeToken } from '@cairn/api';
import type { EventEnvelope__Output } from '@cairn/schema/events';
import { eventually, startCluster } from './support/cluster.js';
import type { TestCluster } from './support/cluster.js';
import {
  FUZZ_SCALE,
  FUZZ_SEED,
  SHELL_MARKER,
  encode,
  fuzzRng,
  iterations,
  loadProto,
  mutateBytes,
  mutateOne,
  preview,
  randomObject,
  stringPool,
} from './support/fuzz.js';
import type { GenOptions, ProtoFile } from './support/fuzz.js';
import {
  ADMIN_REFUSALS,
  CODE,
  CSI_CONTROLLER_REFUSALS,
  CSI_REFUSALS,
  Tally,
  badFramings,
  bearer,
  checkOutcome,
  codeName,
  h2Grpc,
  rawClient,
  rawStream,
  rawUnary,
  tcpGarbage,
} from './support/fuzz-grpc.js';
import type { Outcome } from './support/fuzz-grpc.js';
import {
  NBD,
  NbdWire,
  expectedErrors,
  goData,
  handshakeGo,
  option,
  optionHeader,
  readGreeting,
  readOptionReply,
  readSimpleReply,
  request,
} from './support/fuzz-nbd.js';
import { snapshotUri } from './support/nbd-uri.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const DEADLINE_MS = 10_000;
const t = suite('fuzz: bad input everywhere');

const ADMIN = loadProto('cairn/admin/v1/admin.proto');
const NODE = loadProto('cairn/node/v1/node.proto');
const CSI = loadProto('csi.proto');

let c: TestCluster;
let adminRaw: grpc.Client;
/** The cluster CA (the manager serves TLS), read once. */
let tlsCa: Buffer | undefined;
let sandbox = '';
const logStart = new Map<string, number>();
const NBD_VOLUME = 'nbdfz';
const NBD_SIZE = 16 * MiB;
let nbdUri = '';
/** A volume attached to node-1 for the CSI Node service to stage for real. */
const CSI_VOLUME = 'csifz';
let csiUri = '';
let settingNames: string[] = [];
let diskIds: string[] = [];

function service(p: ProtoFile, name: string): protobuf.Service {
  const s = p.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}
const pathOf = (s: protobuf.Service, m: protobuf.Method): string => `/${s.fullName.replace(/^\./, '')}/${m.name}`;

t.before(async () => {
  try {
    await setUp();
  } catch (e) {
    // uvu would only skip every test: say why.
    console.error('setting up the fuzz cluster failed:', e);
    throw e;
  }
});

async function setUp(): Promise<void> {
  console.log(
    `fuzz seed ${FUZZ_SEED} (replay with CAIRN_FUZZ_SEED=${FUZZ_SEED}); scale ${FUZZ_SCALE} (CAIRN_FUZZ_SCALE)`,
  );
  rmSync(SHELL_MARKER, { force: true });
  c = await startCluster(3);
  sandbox = join(c.dir, 'sandbox');
  mkdirSync(sandbox, { recursive: true });
  tlsCa = c.info.tlsCa ? readFileSync(c.info.tlsCa) : undefined;
  adminRaw = rawClient(c.info.admin, tlsCa);
  await c.call('CreateVolume', { name: 'vol-0', size: 64 * MiB, numberOfReplicas: 3 });
  await c.call('CreateVolume', { name: 'vol-1', size: 64 * MiB, numberOfReplicas: 2 });
  await c.call('CreateVolume', { name: NBD_VOLUME, size: NBD_SIZE, numberOfReplicas: 2 });
  await c.call('CreateVolume', { name: CSI_VOLUME, size: 64 * MiB, numberOfReplicas: 1 });
  await c.call('CreateSnapshot', { volume: 'vol-0', name: 's1' });
  await eventually('replicas running', 30_000, async () => {
    const { volumes } = await c.call('ListVolumes', {});
    return volumes.every(
      (v) => v.replicas.length === v.numberOfReplicas && v.replicas.every((r) => r.state === 'running'),
    );
  });
  await c.call('AttachVolume', { name: NBD_VOLUME, nodeId: 'node-1' });
  nbdUri = await eventually('the NBD export is served', 30_000, async () => {
    const v = await c.call('GetVolume', { name: NBD_VOLUME });
    return v.state === 'attached' && v.endpoint;
  });
  await c.call('AttachVolume', { name: CSI_VOLUME, nodeId: 'node-1' });
  csiUri = await eventually('the CSI volume is served', 30_000, async () => {
    const v = await c.call('GetVolume', { name: CSI_VOLUME });
    return v.state === 'attached' && v.endpoint;
  });
  settingNames = (await c.call('GetSettings', {})).settings.map((s) => s.name);
  const nodes = (await c.call('ListNodes', {})).nodes;
  diskIds = nodes.flatMap((n) => n.disks.map((d) => d.diskId));
  for (const f of logFiles()) logStart.set(f, existsSync(f) ? statSync(f).size : 0);
}

t.after(async () => {
  adminRaw?.close();
  if (c) await sweepMounts(c.dir);
  await c?.down();
});

/**
 * What node-1's CSI Node service has done, for comparing around a refused call: its stage records
 * (file names and contents), the mounts under the cluster's directory and the loop devices backed
 * by files there. A refused call changes none of it (a failed first stage is undone).
 */
async function nodeCsiState(): Promise<string> {
  const dir = join(c.dir, 'nodes', 'node-1', 'csi', 'volumes');
  const records = existsSync(dir)
    ? readdirSync(dir)
        .sort()
        .map((f) => `${f}=${readFileSync(join(dir, f), 'utf8')}`)
    : [];
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(c.dir))
    .sort();
  const loops = (await run('losetup', ['-l', '-n', '-O', 'NAME,BACK-FILE']).catch(() => ({ stdout: '' }))).stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.includes(c.dir))
    .sort();
  return JSON.stringify({ records, mounts, loops });
}

/** Unmounts, detaches and stops whatever the CSI Node service left under `dir` (after a failure). */
async function sweepMounts(dir: string): Promise<void> {
  const sh = (cmd: string, args: string[]): Promise<unknown> =>
    run(cmd, args, { timeout: 20_000 }).catch(() => undefined);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(dir))
    .reverse();
  for (const m of mounts) await sh('umount', ['-l', m]);
  const loops = (await run('losetup', ['-l', '-n', '-O', 'NAME,BACK-FILE']).catch(() => ({ stdout: '' }))).stdout;
  for (const l of loops.split('\n')) {
    const [dev, file] = l.trim().split(/\s+/);
    if (dev && file?.startsWith(dir)) await sh('losetup', ['-d', dev]);
  }
  for (const m of mounts) await sh('fusermount3', ['-u', '-z', m]);
}

function logFiles(): string[] {
  return [c.info.manager.log, ...c.info.nodes.map((n) => n.log)];
}

// ---- the state check ----------------------------------------------------------------------------

interface Head {
  seq: number;
  hash: string;
}
async function head(): Promise<Head> {
  const i = await c.call('GetClusterInfo', {});
  return { seq: i.seq, hash: i.stateHash };
}

function eventsBetween(after: number, upTo: number): Promise<EventEnvelope__Output[]> {
  return new Promise((resolve, reject) => {
    const out: EventEnvelope__Output[] = [];
    const s = c.admin().WatchEvents({ fromSeq: after + 1, follow: false });
    s.on('data', (e: EventEnvelope__Output) => {
      if (e.seq <= upTo) out.push(e);
    });
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

/**
 * After a refused call: the state hash is unchanged when nothing was appended; when something was
 * (node agents and the leader append on their own), none of it came from the refused call's actor.
 */
async function checkRefusedChangedNothing(tally: Tally, before: Head, actor: RegExp, what: string): Promise<Head> {
  const after = await head();
  if (after.seq === before.seq) {
    if (after.hash !== before.hash)
      tally.fail(`${what}: refused, yet the state hash changed (${before.hash} -> ${after.hash}) at seq ${after.seq}`);
  } else {
    const ours = (await eventsBetween(before.seq, after.seq)).filter((e) => actor.test(e.actor));
    if (ours.length)
      tally.fail(`${what}: refused, yet appended ${ours.map((e) => `${e.seq} ${e.payload}`).join(', ')}`);
  }
  return after;
}

let phaseStart = Date.now();
t.before.each(() => {
  phaseStart = Date.now();
});

function report(tally: Tally, title: string): void {
  console.log(`${tally.table(title)}\n  (${((Date.now() - phaseStart) / 1000).toFixed(1)} s)`);
  assert.equal(tally.failures, [], `${title} (seed ${FUZZ_SEED}):\n${tally.failures.join('\n')}`);
}

// ---- NBD ------------------------------------------------------------------------------------------

/** The export's bytes as the accepted writes left them; null where a trim made them undefined. */
class Model {
  readonly data = Buffer.alloc(NBD_SIZE);
  readonly known = new Uint8Array(NBD_SIZE).fill(1);
  write(off: number, b: Buffer): void {
    b.copy(this.data, off);
    this.known.fill(1, off, off + b.length);
  }
  zero(off: number, n: number): void {
    this.data.fill(0, off, off + n);
    this.known.fill(1, off, off + n);
  }
  trim(off: number, n: number): void {
    this.known.fill(0, off, off + n);
  }
  mismatch(got: Buffer, off = 0): number {
    for (let i = 0; i < got.length; i++) if (this.known[off + i] && got[i] !== this.data[off + i]) return off + i;
    return -1;
  }
}

t(
  'NBD: mutated handshakes and transmission requests get their error or a close; the export keeps serving',
  async () => {
    const r = fuzzRng('nbd');
    const name = decodeURIComponent(new URL(nbdUri).pathname.slice(1));
    const tally = new Tally();
    const model = new Model();
    // Start from known contents: zeroes (a fresh volume reads as zeroes).
    const fresh = join(sandbox, 'nbd-start.bin');
    await run('nbdcopy', [nbdUri, fresh], { timeout: 60_000 });
    model.write(0, readFileSync(fresh));

    // A client that connects and says nothing is disconnected after the handshake timeout (10 s),
    // while the server goes on serving everyone else: checked at the end.
    const silent = await NbdWire.open(nbdUri);
    const silentSince = Date.now();

    // ---- handshake phase: each case on its own connection
    const handshakes: [string, (w: NbdWire) => Promise<string>][] = [
      [
        'garbage instead of client flags',
        async (w) => {
          // At least the 4 bytes of client flags, one of them unknown (fewer bytes: the server waits
          // for the rest, until the handshake timeout checked below).
          const g = r.bytes(r.int(4, 64));
          g[0] = g[0]! | 0x80;
          w.write(g);
          return (await w.closedWithin(3000)) ? 'closed' : 'open';
        },
      ],
      [
        'unknown client flags',
        async (w) => {
          const b = Buffer.alloc(4);
          b.writeUInt32BE(r.pick([4, 0x80000000, 0xffffffff]), 0);
          w.write(b);
          return (await w.closedWithin(3000)) ? 'closed' : 'open';
        },
      ],
      [
        'bad option magic',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          w.write(optionHeader(NBD.OPT_GO, 0, r.pick([0n, 0x49484156454f5055n, 2n ** 64n - 1n])));
          return (await w.closedWithin(3000)) ? 'closed' : 'open';
        },
      ],
      [
        'huge option length',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          w.write(optionHeader(r.pick([NBD.OPT_GO, NBD.OPT_INFO, 1234]), r.pick([0xffffffff, 0x10000000, 0x7fffffff])));
          return (await w.closedWithin(3000)) ? 'closed' : 'open';
        },
      ],
      [
        'unknown option, then abort',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          w.write(
            option(
              r.pick([0, 4, 12, 99, 0x7fffffff, NBD.OPT_STARTTLS, NBD.OPT_STRUCTURED_REPLY]),
              r.bytes(r.int(0, 64)),
            ),
          );
          const rep = await readOptionReply(w, 3000);
          if (typeof rep === 'string') return `no reply (${rep})`;
          if (rep.type !== NBD.REP_ERR_UNSUP) return `reply 0x${rep.type.toString(16)}`;
          w.write(option(NBD.OPT_ABORT));
          const ack = await readOptionReply(w, 3000);
          return typeof ack !== 'string' && ack.type === NBD.REP_ACK && (await w.closedWithin(3000))
            ? 'error reply'
            : 'no abort ack';
        },
      ],
      [
        'malformed NBD_OPT_GO data',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          const d = goData(name, [NBD.INFO_BLOCK_SIZE]);
          const bad = r.pick([
            () => {
              const x = Buffer.from(d);
              x.writeUInt32BE(r.pick([d.length, 0xffffffff, name.length + 1]), 0);
              return x;
            },
            () => d.subarray(0, r.int(0, d.length - 1)),
            () => Buffer.concat([d, r.bytes(r.int(1, 5))]),
            () => {
              const x = Buffer.from(d);
              x.writeUInt16BE(r.pick([0xffff, 7]), 4 + Buffer.byteLength(name));
              return x;
            },
          ])();
          w.write(option(r.pick([NBD.OPT_GO, NBD.OPT_INFO]), bad));
          const rep = await readOptionReply(w, 3000);
          if (typeof rep === 'string') return `no reply (${rep})`;
          return rep.type === NBD.REP_ERR_INVALID ? 'error reply' : `reply 0x${rep.type.toString(16)}`;
        },
      ],
      [
        'NBD_OPT_GO for an export that does not exist',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          w.write(
            option(NBD.OPT_GO, goData(r.pick(['nope', '', '../data', `${name}@nope`, '\u0000', 'x'.repeat(4000)]))),
          );
          const rep = await readOptionReply(w, 3000);
          if (typeof rep === 'string') return `no reply (${rep})`;
          return rep.type === NBD.REP_ERR_UNKNOWN ? 'error reply' : `reply 0x${rep.type.toString(16)}`;
        },
      ],
      [
        'NBD_OPT_EXPORT_NAME for an export that does not exist',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          w.write(option(NBD.OPT_EXPORT_NAME, Buffer.from(r.pick(['nope', '../x', '\u00ff']))));
          return (await w.closedWithin(3000)) ? 'closed' : 'open';
        },
      ],
      [
        'NBD_OPT_LIST with data',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          w.write(option(NBD.OPT_LIST, r.bytes(r.int(1, 16))));
          const rep = await readOptionReply(w, 3000);
          if (typeof rep === 'string') return `no reply (${rep})`;
          return rep.type === NBD.REP_ERR_INVALID ? 'error reply' : `reply 0x${rep.type.toString(16)}`;
        },
      ],
      [
        'a truncated option, then the client closes',
        async (w) => {
          w.write(Buffer.from([0, 0, 0, 3]));
          const full = option(NBD.OPT_GO, goData(name));
          w.write(full.subarray(0, r.int(1, full.length - 1)));
          w.socket.end();
          return (await w.closedWithin(3000)) ? 'closed' : 'open';
        },
      ],
    ];
    const wantHandshake: Record<string, string> = {
      'unknown option, then abort': 'error reply',
      'malformed NBD_OPT_GO data': 'error reply',
      'NBD_OPT_GO for an export that does not exist': 'error reply',
      'NBD_OPT_LIST with data': 'error reply',
    };
    for (let i = iterations(40); i > 0; i--) {
      const [what, fn] = i <= handshakes.length ? handshakes[i - 1]! : r.pick(handshakes);
      const w = await NbdWire.open(nbdUri);
      try {
        const g = await readGreeting(w, 3000);
        if (g !== 'ok') {
          tally.fail(`${what}: greeting ${g}`);
          continue;
        }
        const got = await fn(w);
        tally.addKey(`handshake: ${what}`, got);
        const want = wantHandshake[what] ?? 'closed';
        if (got !== want) tally.fail(`handshake "${what}": ${got}, expected ${want}`);
      } finally {
        w.destroy();
      }
    }

    // ---- transmission phase: mutated requests on connections that finished the handshake
    let handle = 1n;
    let w = await NbdWire.open(nbdUri);
    let ex = await handshakeGo(w, name, true, 5000);
    assert.is(ex.size, NBD_SIZE);
    const reconnect = async (): Promise<void> => {
      w.destroy();
      w = await NbdWire.open(nbdUri);
      ex = await handshakeGo(w, name, r.chance(0.5), 5000);
    };
    for (let i = iterations(400); i > 0; i--) {
      const type = r.chance(0.8)
        ? r.pick([NBD.CMD_READ, NBD.CMD_WRITE, NBD.CMD_FLUSH, NBD.CMD_TRIM, NBD.CMD_WRITE_ZEROES])
        : r.pick([NBD.CMD_CACHE, NBD.CMD_BLOCK_STATUS, 8, 99, 0xffff]);
      const flags = r.chance(0.75)
        ? r.pick([0, 0, NBD.FLAG_FUA, NBD.FLAG_NO_HOLE])
        : r.pick([NBD.FLAG_DF, NBD.FLAG_REQ_ONE, NBD.FLAG_FAST_ZERO, 0x8000, 0xffff]);
      const offset = r.chance(0.6)
        ? BigInt(r.int(0, NBD_SIZE / 512 - 1) * 512)
        : r.pick([
            BigInt(NBD_SIZE),
            BigInt(NBD_SIZE - 512),
            1n,
            511n,
            2n ** 53n,
            2n ** 63n,
            2n ** 64n - 1n,
            BigInt(r.int(0, NBD_SIZE)),
          ]);
      const length = r.chance(0.6)
        ? r.pick([0, 512, 4096, 65536])
        : r.pick([1, 511, 0xffffffff, 33 * MiB, NBD_SIZE, NBD_SIZE + 512, r.int(0, 70000)]);
      const h = handle++;
      const expected = expectedErrors(ex, type, flags, offset, length);
      // A WRITE sends its payload (the server reads it even when it refuses the request), unless it
      // is too large to bother: then the connection may be closed, which is allowed.
      const hugeWrite = type === NBD.CMD_WRITE && length > 40 * MiB;
      if (r.chance(0.03)) {
        // A bad request magic: the stream cannot be trusted any more; the server closes it.
        w.write(request(type, flags, h, offset, length, r.pick([0, 0x25609514, 0x67446698])));
        const closed = await w.closedWithin(3000);
        tally.addKey('transmission: bad magic', closed ? 'closed' : 'open');
        if (!closed) tally.fail('a request with a bad magic: the connection stayed open');
        await reconnect();
        continue;
      }
      w.write(request(type, flags, h, offset, length));
      const payload =
        type === NBD.CMD_WRITE && !hugeWrite
          ? length > MiB
            ? Buffer.alloc(length, r.int(0, 255))
            : r.bytes(length)
          : undefined;
      if (payload) w.write(payload);
      if (hugeWrite) {
        // Not sending 4 GiB of payload: the server waits for it (or refuses at once); either way
        // this connection is now out of step, so it ends here.
        await reconnect();
        tally.addKey('transmission: huge WRITE abandoned', 'reconnect');
        continue;
      }
      const rep = await readSimpleReply(w, 5000);
      const label = `${type} flags ${flags} at ${offset}+${length}`;
      if (typeof rep === 'string') {
        tally.fail(`transmission ${label}: ${rep} (expected error ${expected.join('|')})`);
        await reconnect();
        continue;
      }
      tally.addKey(
        `transmission: ${expected[0] === 0 ? 'valid' : 'invalid'}`,
        rep.error === 0 ? 'ok' : `error ${rep.error}`,
      );
      if (rep.handle !== h) tally.fail(`transmission ${label}: reply handle ${rep.handle}, sent ${h}`);
      if (!expected.includes(rep.error))
        tally.fail(`transmission ${label}: error ${rep.error}, expected ${expected.join('|')}`);
      if (rep.error === 0) {
        const off = Number(offset);
        if (type === NBD.CMD_READ && length > 0) {
          const got = await w.read(length, 5000);
          if (!Buffer.isBuffer(got)) {
            tally.fail(`READ ${label}: data ${got}`);
            await reconnect();
            continue;
          }
          const bad = model.mismatch(got, off);
          if (bad >= 0) tally.fail(`READ ${label}: byte ${bad} differs from what was written`);
        }
        if (type === NBD.CMD_WRITE && payload) model.write(off, payload);
        if (type === NBD.CMD_WRITE_ZEROES) model.zero(off, length);
        if (type === NBD.CMD_TRIM) model.trim(off, length);
      }
    }
    w.write(request(NBD.CMD_DISC, 0, handle, 0n, 0));
    assert.ok(await w.closedWithin(5000), 'NBD_CMD_DISC closes the connection');
    w.destroy();

    assert.ok(
      await silent.closedWithin(Math.max(1000, 15_000 - (Date.now() - silentSince))),
      'a silent client is disconnected after the handshake timeout',
    );
    silent.destroy();

    // A real client still gets the export, and reads what the accepted requests wrote.
    const info = JSON.parse((await run('nbdinfo', ['--json', nbdUri], { timeout: 30_000 })).stdout);
    assert.is(info.exports[0]['export-size'], NBD_SIZE);
    const out = join(sandbox, 'nbd-end.bin');
    await run('nbdcopy', [nbdUri, out], { timeout: 60_000 });
    const bad = model.mismatch(readFileSync(out));
    assert.is(bad, -1, `the export's bytes are what the accepted writes made them (first difference at ${bad})`);
    report(tally, 'NBD');
  },
);

// ---- CSI Node service on a real export ------------------------------------------------------

t(
  'regression: unpublishing "at" a staging path, or unstaging another volume id there, leaves the staged volume alone',
  async () => {
    const s = service(CSI, 'Node');
    const client = rawClient(c.info.nodes[0]!.csiEndpoint);
    const root = join(sandbox, 'csi-regression');
    const staging = `${root}/staging`;
    const cap = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' } };
    const callNode = async (method: string, req: Record<string, unknown>): Promise<Outcome> => {
      const m = s.methods[method]!;
      return rawUnary(client, pathOf(s, m), encode(m.resolvedRequestType!, req), bearer(''), 60_000);
    };
    try {
      const st = await callNode('NodeStageVolume', {
        volumeId: CSI_VOLUME,
        stagingTargetPath: staging,
        volumeCapability: cap,
        publishContext: { nbdUrl: csiUri },
      });
      assert.is(codeName(st.code), 'OK', st.details);
      const unpub = await callNode('NodeUnpublishVolume', { volumeId: CSI_VOLUME, targetPath: staging });
      assert.is(codeName(unpub.code), 'INVALID_ARGUMENT', unpub.details);
      assert.match(unpub.details, /staged/);
      const other = await callNode('NodeUnstageVolume', { volumeId: 'another-volume', stagingTargetPath: staging });
      assert.is(codeName(other.code), 'OK', 'not staged there: nothing to undo');
      const stats = await callNode('NodeGetVolumeStats', { volumeId: CSI_VOLUME, volumePath: staging });
      assert.is(codeName(stats.code), 'OK', stats.details);
      assert.ok(
        readFileSync('/proc/self/mountinfo', 'utf8')
          .split('\n')
          .some((l) => l.split(' ')[4] === staging),
        'still mounted',
      );
      const grow = await callNode('NodeExpandVolume', {
        volumeId: CSI_VOLUME,
        volumePath: staging,
        capacityRange: { requiredBytes: 64 * MiB },
      });
      assert.is(codeName(grow.code), 'OK', grow.details);
    } finally {
      const un = await callNode('NodeUnstageVolume', { volumeId: CSI_VOLUME, stagingTargetPath: staging });
      client.close();
      assert.is(codeName(un.code), 'OK', un.details);
    }
  },
);

// Fuzzed: valid calls in order with mutated ones in between.

t(
  'CSI Node service on a real export: valid calls in order, mutated ones in between; codes, and nothing left mounted',
  async () => {
    const r = fuzzRng('csi-live');
    const s = service(CSI, 'Node');
    const client = rawClient(c.info.nodes[0]!.csiEndpoint);
    const root = join(sandbox, 'csi-live');
    mkdirSync(root, { recursive: true });
    const cap = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' } };
    const staging = `${root}/staging`;
    const target = `${root}/target`;
    const valid: [string, Record<string, unknown>][] = [
      [
        'NodeStageVolume',
        { volumeId: CSI_VOLUME, stagingTargetPath: staging, volumeCapability: cap, publishContext: { nbdUrl: csiUri } },
      ],
      [
        'NodePublishVolume',
        {
          volumeId: CSI_VOLUME,
          stagingTargetPath: staging,
          targetPath: target,
          volumeCapability: cap,
          publishContext: { nbdUrl: csiUri },
        },
      ],
      ['NodeGetVolumeStats', { volumeId: CSI_VOLUME, volumePath: target }],
      ['NodeExpandVolume', { volumeId: CSI_VOLUME, volumePath: staging, capacityRange: { requiredBytes: 64 * MiB } }],
      ['NodeUnpublishVolume', { volumeId: CSI_VOLUME, targetPath: target }],
      ['NodeUnstageVolume', { volumeId: CSI_VOLUME, stagingTargetPath: staging }],
    ];
    const paths = [staging, target, `${root}/other`, `${root}/target-2`];
    const gen: GenOptions = {
      pool: stringPool([CSI_VOLUME, csiUri, ...paths, 'ext4', 'xfs']),
      hints: {
        volumeId: (x) => x.pick([CSI_VOLUME, CSI_VOLUME, 'vol-0', 'nope', '']),
        stagingTargetPath: (x) => x.pick([...paths, 'relative', '']),
        targetPath: (x) => x.pick([...paths, 'relative', '']),
        volumePath: (x) => x.pick([...paths, '']),
        fsType: (x) => x.pick(['ext4', 'xfs', 'ext3', 'btrfs', '']),
        mountFlags: (x) => x.pick(['noatime', 'ro', 'bogus-flag', 'nosuid']),
        'NodeStageVolumeRequest.publishContext': (x) => ({
          nbdUrl: x.pick([csiUri, snapshotUri(csiUri, 'nope'), 'nbd://127.0.0.1:1/none']),
        }),
      },
    };
    // Only paths under the sandbox ever reach the service (it mounts and removes them as root).
    const confined = (req: Record<string, unknown>): Record<string, unknown> => {
      const out = { ...req };
      for (const k of ['stagingTargetPath', 'targetPath', 'volumePath']) {
        const v = out[k];
        if (typeof v === 'string' && v.startsWith('/') && !(v.startsWith(`${root}/`) && !v.includes('..')))
          out[k] = `${root}/x${k}`;
      }
      return out;
    };
    const tally = new Tally();
    const used = {
      volumes: new Set<string>([CSI_VOLUME]),
      staging: new Set<string>([staging]),
      targets: new Set<string>([target]),
    };
    const call = async (method: string, req: Record<string, unknown>, label: unknown): Promise<Outcome> => {
      const m = s.methods[method]!;
      const safe = confined(req);
      for (const [k, set] of [
        ['volumeId', used.volumes],
        ['stagingTargetPath', used.staging],
        ['targetPath', used.targets],
        ['volumePath', used.targets],
      ] as const) {
        if (typeof safe[k] === 'string' && safe[k]) set.add(safe[k] as string);
      }
      const before = await nodeCsiState();
      const o = await rawUnary(client, pathOf(s, m), encode(m.resolvedRequestType!, safe), bearer(''), 60_000);
      if (o.code !== CODE.OK && (await nodeCsiState()) !== before)
        tally.fail(
          `${method} ${preview(label)}: refused (${codeName(o.code)}), yet records, mounts or loop devices changed`,
        );
      // mount_flags go to mount(8) uninterpreted (they are filesystem-specific); when the kernel
      // refuses them the stage fails INTERNAL by design (packages/csi/test/node.test.ts asserts
      // it): counted on its own, not as a wrong code.
      const flags =
        (safe.volumeCapability as { mount?: { mountFlags?: string[] } } | undefined)?.mount?.mountFlags ?? [];
      if (method === 'NodeStageVolume' && o.code === CODE.INTERNAL && flags.length > 0 && /mount/.test(o.details)) {
        tally.addKey(method, 'INTERNAL: mount(8) refused mount_flags');
        return o;
      }
      checkOutcome(tally, method, label, o, CSI_REFUSALS);
      return o;
    };
    let step = 0;
    const ok = new Map<string, number>();
    try {
      for (let i = iterations(30); i > 0; i--) {
        if (r.chance(0.5)) {
          const [method, req] = valid[step++ % valid.length]!;
          const o = await call(method, req, { valid: method });
          if (o.code === CODE.OK) ok.set(method, (ok.get(method) ?? 0) + 1);
          // A mutated call staged another volume at the valid staging path, so the valid stage is
          // refused (rightly). Clear the way through the service, as an operator would, so the
          // valid sequence can go on.
          const squatter = /where volume (.*) is staged$/.exec(o.details);
          if (method === 'NodeStageVolume' && o.code === CODE.FAILED_PRECONDITION && squatter) {
            for (const t2 of used.targets)
              await call('NodeUnpublishVolume', { volumeId: squatter[1], targetPath: t2 }, 'cleanup');
            await call('NodeUnstageVolume', { volumeId: squatter[1], stagingTargetPath: staging }, 'cleanup');
          }
        } else {
          const [method, base] = r.pick(valid);
          const { obj, what } = mutateOne(r, s.methods[method]!.resolvedRequestType!, base, gen);
          await call(method, obj, { [what]: obj });
        }
      }
      // The valid sequence got somewhere: a real stage and publish happened.
      assert.ok(
        (ok.get('NodeStageVolume') ?? 0) > 0 && (ok.get('NodePublishVolume') ?? 0) > 0,
        `valid calls that succeeded: ${preview([...ok])}`,
      );
    } finally {
      // Undo everything any call may have done, through the service itself (also when a check
      // above failed: what is left mounted would fail the next test too).
      for (const v of used.volumes) {
        for (const t2 of used.targets) await call('NodeUnpublishVolume', { volumeId: v, targetPath: t2 }, 'cleanup');
        for (const st of used.staging)
          await call('NodeUnstageVolume', { volumeId: v, stagingTargetPath: st }, 'cleanup');
      }
      client.close();
    }
    report(tally, 'CSI Node on a real export');
    const left = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((m) => m.startsWith(root) || m.startsWith(join(c.dir, 'nodes')));
    assert.equal(left, [], 'unstaging everything leaves no mount behind');
  },
);

// ---- admin API ------------------------------------------------------------------------------------

function adminGen(): GenOptions {
  const names = ['vol-0', 'vol-1', 'nope', 'fz-a', 's1'];
  return {
    pool: stringPool([...names, ...diskIds, ...settingNames, sandbox, `${sandbox}/../../etc`, `${sandbox}/d1`]),
    hints: {
      name: (r) => r.pick(names),
      volume: (r) => r.pick(names),
      nodeId: (r) => r.pick(['node-1', 'node-2', 'node-3', 'node-99']),
      diskId: (r) => r.pick([...diskIds, 'nope']),
      path: (r) =>
        r.pick([
          `${sandbox}/d${r.int(1, 3)}`,
          `${sandbox}/../${r.pick(['x', '..'])}`,
          'relative/path',
          `${sandbox}/./d1`,
        ]),
      size: (r) => r.pick([64 * MiB, 64 * MiB + 4096, 128 * MiB, 4096, 1000]),
      numberOfReplicas: (r) => r.int(0, 4),
      dataLocality: (r) => r.pick(['disabled', 'best-effort', 'strict-local']),
      dataSource: (r) =>
        r.pick(['snap://vol-0/s1', 'vol://vol-1', 'snap://nope/s1', 'snap://vol-0/nope', 'vol://', 'snap://vol-0']),
      'UpdateSettingsRequest.values': (r) => ({
        [r.pick(settingNames)]: r.pick([
          '0',
          '1',
          '3',
          '100',
          '101',
          '-1',
          'true',
          'false',
          '',
          'ignored',
          'x'.repeat(300),
        ]),
      }),
      atSeq: (r) => r.int(0, 50),
      fromSeq: (r) => r.int(0, 50),
    },
  };
}

/** A valid request for every admin method (mostly ones that are already satisfied: idempotent). */
function adminValid(): Record<string, Record<string, unknown>> {
  return {
    CreateVolume: { name: 'vol-0', size: 64 * MiB, numberOfReplicas: 3 },
    GetVolume: { name: 'vol-0' },
    ListVolumes: {},
    UpdateVolume: { name: 'vol-0', numberOfReplicas: 3 },
    ExpandVolume: { name: 'vol-0', size: 64 * MiB },
    DeleteVolume: { name: 'never-existed' },
    AttachVolume: { name: 'vol-1', nodeId: 'node-2' },
    DetachVolume: { name: 'vol-0' },
    ListNodes: {},
    UpdateNode: { nodeId: 'node-2', allowScheduling: true },
    AddDisk: { nodeId: 'node-3', path: `${sandbox}/extra`, diskId: 'extra' },
    UpdateDisk: { nodeId: 'node-1', diskId: diskIds[0] ?? 'disk', allowScheduling: true },
    RemoveDisk: { nodeId: 'node-1', diskId: 'never-existed' },
    GetSettings: { name: 'default-replica-count' },
    UpdateSettings: { values: { 'storage-over-provisioning-percentage': '100' } },
    CreateSnapshot: { volume: 'vol-0', name: 's1' },
    ListSnapshots: { name: 'vol-0' },
    DeleteSnapshot: { volume: 'vol-0', name: 'never-existed' },
    WatchEvents: { fromSeq: 1, follow: false },
    AuditState: { atSeq: 1 },
    ExplainVolume: { name: 'vol-0' },
    Verify: {},
    GetClusterInfo: {},
  };
}

/** The bearer of node `nodeId`'s own token (node calls refuse the admin token), from the cluster's node key. */
const nodeBearer = (nodeId: string): grpc.Metadata =>
  bearer(nodeToken(readFileSync(join(c.dir, 'credentials', 'node.key'), 'utf8').trim(), nodeId));

/** One admin call (unary or stream) with `body`; checked; refused -> state checked. */
async function adminCall(
  tally: Tally,
  before: Head,
  m: protobuf.Method,
  body: Buffer,
  req: unknown,
  token = c.token,
  extra = new Set<number>(),
): Promise<Head> {
  const s = service(ADMIN, 'Admin');
  const o: Outcome = m.responseStream
    ? await rawStream(adminRaw, pathOf(s, m), body, bearer(token), 300, DEADLINE_MS)
    : await rawUnary(adminRaw, pathOf(s, m), body, bearer(token), DEADLINE_MS);
  checkOutcome(tally, m.name, req, o, ADMIN_REFUSALS, extra);
  if (o.code === CODE.OK) return head();
  return checkRefusedChangedNothing(tally, before, /^admin$/, `${m.name} ${preview(req)}`);
}

/**
 * RESOURCE_EXHAUSTED is the right answer to a request too big to take: over 4 MiB gRPC itself
 * refuses it; over 1 MiB what it would append may exceed one etcd transaction (the manager's
 * TooLargeError), e.g. a node report whose free-text reason is megabytes long.
 */
const tooBig = (body: Buffer): Set<number> => (body.length > MiB ? new Set([CODE.RESOURCE_EXHAUSTED]) : new Set());

// ---- regressions: what earlier runs of this fuzzer found, as plain cases ----------------------

t('regression: a refusal quoting a 1 MB value answers at once and leaves the connection usable', async () => {
  const huge = 'x'.repeat(MiB);
  const admin = service(ADMIN, 'Admin');
  const node = service(NODE, 'NodeAgent');
  const csiNode = service(CSI, 'Node');
  const cases: [grpc.Client, protobuf.Service, string, Record<string, unknown>, grpc.Metadata][] = [
    [adminRaw, admin, 'GetVolume', { name: huge }, bearer(c.token)],
    [adminRaw, admin, 'UpdateSettings', { values: { [huge]: '1' } }, bearer(c.token)],
    [adminRaw, node, 'Register', { nodeId: huge }, bearer(c.token)],
  ];
  const csiClient = rawClient(c.info.nodes[0]!.csiEndpoint);
  cases.push([csiClient, csiNode, 'NodeUnstageVolume', { volumeId: 'v', stagingTargetPath: huge }, bearer('')]);
  cases.push([csiClient, csiNode, 'NodeGetVolumeStats', { volumeId: huge, volumePath: `${sandbox}/x` }, bearer('')]);
  try {
    for (const [client, s, method, req, md] of cases) {
      const m = s.methods[method]!;
      const o = await rawUnary(client, pathOf(s, m), encode(m.resolvedRequestType!, req), md, 5000);
      assert.ok(
        o.code === CODE.INVALID_ARGUMENT || o.code === CODE.NOT_FOUND,
        `${s.name}.${method}: ${codeName(o.code)} ${o.details.slice(0, 100)}`,
      );
      assert.ok(
        Buffer.byteLength(o.details) <= 2048,
        `${s.name}.${method}: a ${Buffer.byteLength(o.details)}-byte message`,
      );
      // The same connection answers the next call.
      const next =
        s.name === 'Node'
          ? await rawUnary(client, pathOf(s, s.methods['NodeGetInfo']!), Buffer.alloc(0), md, 5000)
          : await rawUnary(
              client,
              pathOf(admin, admin.methods['ListVolumes']!),
              Buffer.alloc(0),
              bearer(c.token),
              5000,
            );
      assert.is(next.code, CODE.OK, `after ${s.name}.${method}: ${codeName(next.code)} ${next.details}`);
    }
  } finally {
    csiClient.close();
  }
});

t(
  'regression: bytes that are not a protobuf message are INVALID_ARGUMENT on every API, unary and streaming',
  async () => {
    const junk = Buffer.from([0xff, 0xff, 0xff, 0xff]); // field 0x1fffffff... with wire type 7: undecodable
    const admin = service(ADMIN, 'Admin');
    const node = service(NODE, 'NodeAgent');
    const csiClient = rawClient(c.info.nodes[0]!.csiEndpoint);
    try {
      const before = await head();
      const unary: [grpc.Client, string, grpc.Metadata][] = [
        [adminRaw, pathOf(admin, admin.methods['CreateVolume']!), bearer(c.token)],
        [adminRaw, pathOf(node, node.methods['Register']!), bearer(c.token)],
        [csiClient, pathOf(service(CSI, 'Identity'), service(CSI, 'Identity').methods['GetPluginInfo']!), bearer('')],
        [csiClient, pathOf(service(CSI, 'Node'), service(CSI, 'Node').methods['NodeStageVolume']!), bearer('')],
      ];
      for (const [client, path, md] of unary) {
        const o = await rawUnary(client, path, junk, md, 5000);
        assert.is(codeName(o.code), 'INVALID_ARGUMENT', `${path}: ${o.details}`);
        assert.match(o.details, path, 'the message names the method');
      }
      for (const path of [
        pathOf(admin, admin.methods['WatchEvents']!),
        pathOf(node, node.methods['WatchAssignments']!),
      ]) {
        const o = await rawStream(adminRaw, path, junk, bearer(c.token), 2000, 5000);
        assert.is(codeName(o.code), 'INVALID_ARGUMENT', `${path}: ${o.details}`);
      }
      const t2 = new Tally();
      await checkRefusedChangedNothing(t2, before, /^(admin|node\/.*)$/, 'undecodable requests');
      assert.equal(t2.failures, []);
    } finally {
      csiClient.close();
    }
  },
);

t(
  'regression: the node API refuses an invalid node id, a disk path with "..", negative figures; nothing is appended',
  async () => {
    const node = service(NODE, 'NodeAgent');
    const reg = node.methods['Register']!;
    const before = await head();
    const disk = { path: `${sandbox}/reg-disk`, storageMaximum: 2 ** 30, storageAvailable: 2 ** 30 };
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ nodeId: '.'.repeat(1000), address: '127.0.0.1:1' }, /nodeId/],
      [{ nodeId: 'Node 1', address: '127.0.0.1:1' }, /nodeId/],
      [
        { nodeId: 'fz-reg', address: '127.0.0.1:1', disks: [{ ...disk, path: `${sandbox}/../../etc` }] },
        /disks\[0\]\.path/,
      ],
      [{ nodeId: 'fz-reg', address: '127.0.0.1:1', disks: [{ ...disk, storageAvailable: -4096 }] }, /negative/],
      [{ nodeId: 'fz-reg', address: '127.0.0.1:1', tags: ['bad tag'] }, /tags/],
    ];
    for (const [req, msg] of bad) {
      const o = await rawUnary(
        adminRaw,
        pathOf(node, reg),
        encode(reg.resolvedRequestType!, req),
        nodeBearer(String(req['nodeId'])),
        5000,
      );
      assert.is(codeName(o.code), 'INVALID_ARGUMENT', `${preview(req)}: ${o.details}`);
      assert.match(o.details, msg);
    }
    const hb = node.methods['Heartbeat']!;
    const o = await rawUnary(
      adminRaw,
      pathOf(node, hb),
      encode(hb.resolvedRequestType!, {
        nodeId: 'node-1',
        disks: [{ ...disk, path: c.info.nodes[0]!.disk, storageMaximum: -1 }],
      }),
      nodeBearer('node-1'),
      5000,
    );
    assert.is(codeName(o.code), 'INVALID_ARGUMENT', o.details);
    const t2 = new Tally();
    await checkRefusedChangedNothing(t2, before, /^node\//, 'refused registrations');
    assert.equal(t2.failures, []);
    const add = await rawUnary(
      adminRaw,
      pathOf(service(ADMIN, 'Admin'), service(ADMIN, 'Admin').methods['AddDisk']!),
      encode(service(ADMIN, 'Admin').methods['AddDisk']!.resolvedRequestType!, {
        nodeId: 'node-1',
        path: `${sandbox}/../../etc`,
      }),
      bearer(c.token),
      5000,
    );
    assert.is(codeName(add.code), 'INVALID_ARGUMENT', add.details);
  },
);

t('admin API: random requests built from admin.proto', async () => {
  const r = fuzzRng('admin-random');
  const s = service(ADMIN, 'Admin');
  const gen = adminGen();
  const tally = new Tally();
  let h = await head();
  for (let i = iterations(300); i > 0; i--) {
    const m = r.pick(s.methodsArray);
    const req = randomObject(r, m.resolvedRequestType!, gen);
    const body = encode(m.resolvedRequestType!, req);
    h = await adminCall(tally, h, m, body, req, c.token, tooBig(body));
  }
  report(tally, 'admin random');
});

t('admin API: valid requests with one field changed', async () => {
  const r = fuzzRng('admin-mutate');
  const s = service(ADMIN, 'Admin');
  const gen = adminGen();
  const valid = adminValid();
  const tally = new Tally();
  let h = await head();
  for (let i = iterations(300); i > 0; i--) {
    const m = r.pick(s.methodsArray);
    const { obj, what } = mutateOne(r, m.resolvedRequestType!, valid[m.name] ?? {}, gen);
    const body = encode(m.resolvedRequestType!, obj);
    h = await adminCall(tally, h, m, body, { [what]: obj }, c.token, tooBig(body));
  }
  report(tally, 'admin mutations');
});

t('admin API: without a valid token every call is UNAUTHENTICATED and changes nothing', async () => {
  const r = fuzzRng('admin-auth');
  const s = service(ADMIN, 'Admin');
  const valid = adminValid();
  const tally = new Tally();
  let h = await head();
  const tokens = [
    '',
    'x',
    c.token.slice(0, -1),
    `${c.token}0`,
    c.token.toUpperCase(),
    ' '.repeat(64),
    'Bearer',
    c.token.replace(/./g, '0'),
  ];
  for (let i = iterations(60); i > 0; i--) {
    const m = r.pick(s.methodsArray);
    const body = encode(m.resolvedRequestType!, valid[m.name] ?? {});
    const before = tally.counts.get(m.name)?.get('UNAUTHENTICATED') ?? 0;
    h = await adminCall(tally, h, m, body, { method: m.name, token: 'bad' }, r.pick(tokens));
    if ((tally.counts.get(m.name)?.get('UNAUTHENTICATED') ?? 0) !== before + 1)
      tally.fail(`${m.name} with a bad token was not UNAUTHENTICATED`);
  }
  report(tally, 'admin without a token');
});

t('admin API: damaged bytes, malformed gRPC framing and garbage on the socket', async () => {
  const r = fuzzRng('admin-wire');
  const s = service(ADMIN, 'Admin');
  const valid = adminValid();
  const tally = new Tally();
  let h = await head();
  for (let i = iterations(200); i > 0; i--) {
    const m = r.pick(s.methodsArray);
    const body = mutateBytes(r, encode(m.resolvedRequestType!, valid[m.name] ?? {}));
    h = await adminCall(tally, h, m, body, { bytes: body.toString('hex').slice(0, 80) });
  }
  // Malformed framing under gRPC: each gets a status (or a closed stream), never a hang.
  const m = s.methods['GetVolume']!;
  const payload = encode(m.resolvedRequestType!, { name: 'vol-0' });
  for (const f of badFramings(r, payload)) {
    const st = await h2Grpc(
      c.info.admin,
      pathOf(s, m),
      f.body,
      { authorization: `Bearer ${c.token}`, ...f.headers },
      DEADLINE_MS,
      tlsCa,
    );
    // grpc-js decides these (some leniently: a compressed flag with the identity encoding is
    // read as uncompressed); what matters here is an answer or a close, never a hang.
    tally.addKey(`framing: ${f.what}`, st === 'closed' || st === 'timeout' ? st : codeName(Number(st)));
    if (st === 'timeout') tally.fail(`framing "${f.what}": no answer within ${DEADLINE_MS} ms`);
  }
  // Garbage where HTTP/2 is expected: the connection is closed (or ignored); the server goes on.
  const [host, port] = c.info.admin.split(':') as [string, string];
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  for (let i = iterations(30); i > 0; i--) {
    const junk = r.chance(0.5) ? r.bytes(r.int(1, 4096)) : Buffer.concat([preface, r.bytes(r.int(1, 512))]);
    await tcpGarbage(host, Number(port), junk, 300);
  }
  h = await checkRefusedChangedNothing(tally, h, /^admin$/, 'socket garbage');
  assert.ok((await c.call('GetClusterInfo', {})).seq >= h.seq, 'the admin API still answers');
  report(tally, 'admin wire damage');
});

// ---- node-facing API ----------------------------------------------------------------------------

t('node API: random and mutated requests from node.proto', async () => {
  const r = fuzzRng('node');
  const s = service(NODE, 'NodeAgent');
  const client = rawClient(c.info.admin, tlsCa);
  const replicaIds = (await c.call('ListVolumes', {})).volumes.flatMap((v) => v.replicas.map((x) => x.id));
  const fzDisk = `${sandbox}/fz-disk`;
  // A node of the fuzzer's own (a real agent would be disturbed by re-registrations of its id).
  const reg = encode(s.methods['Register']!.resolvedRequestType!, {
    nodeId: 'fz-1',
    address: '127.0.0.1:1',
    zone: 'zone-z',
    disks: [{ diskId: 'fz-disk', path: fzDisk, storageMaximum: 0, storageAvailable: 0 }],
  });
  // The fuzzer speaks as fz-1 (its own token): what names another node is PERMISSION_DENIED.
  const fz1 = nodeBearer('fz-1');
  const first = await rawUnary(client, pathOf(s, s.methods['Register']!), reg, fz1, DEADLINE_MS);
  assert.is(first.code, CODE.OK, first.details);
  await c.call('UpdateNode', { nodeId: 'fz-1', allowScheduling: false });
  const gen: GenOptions = {
    pool: stringPool([
      'fz-1',
      'fz-2',
      'fz-disk',
      fzDisk,
      ...replicaIds,
      'vol-0',
      NBD_VOLUME,
      'running',
      'failed',
      'rebuilt',
      'attached',
      'detached',
    ]),
    hints: {
      nodeId: (x) => x.pick(['fz-1', 'fz-2', 'fz-1', '']),
      replicaId: (x) => x.pick(replicaIds),
      state: (x) => x.pick(['running', 'failed', 'rebuilt', 'attached', 'detached', 'bogus']),
      volume: (x) => x.pick(['vol-0', 'vol-1', 'nope']),
      path: (x) => x.pick([fzDisk, `${sandbox}/fz-other`, 'relative', `${sandbox}/../fz-disk`]),
      diskId: (x) => x.pick(['fz-disk', 'other', '']),
    },
  };
  const valid: Record<string, Record<string, unknown>> = {
    Register: { nodeId: 'fz-1', address: '127.0.0.1:1', zone: 'zone-z', disks: [{ diskId: 'fz-disk', path: fzDisk }] },
    Heartbeat: { nodeId: 'fz-1', disks: [{ diskId: 'fz-disk', path: fzDisk }] },
    WatchAssignments: { nodeId: 'fz-1' },
    Report: { nodeId: 'fz-1', replicas: [], engines: [] },
  };
  const tally = new Tally();
  let h = await head();
  for (let i = iterations(250); i > 0; i--) {
    const m = r.pick(s.methodsArray);
    const k = r.next();
    let req: unknown;
    let body: Buffer;
    if (k < 0.45) {
      const o = randomObject(r, m.resolvedRequestType!, gen);
      req = o;
      body = encode(m.resolvedRequestType!, o);
    } else if (k < 0.9) {
      const { obj, what } = mutateOne(r, m.resolvedRequestType!, valid[m.name]!, gen);
      req = { [what]: obj };
      body = encode(m.resolvedRequestType!, obj);
    } else {
      body = mutateBytes(r, encode(m.resolvedRequestType!, valid[m.name]!));
      req = { bytes: body.toString('hex').slice(0, 80) };
    }
    const o = m.responseStream
      ? await rawStream(client, pathOf(s, m), body, fz1, 200, DEADLINE_MS)
      : await rawUnary(client, pathOf(s, m), body, fz1, DEADLINE_MS);
    checkOutcome(tally, m.name, req, o, ADMIN_REFUSALS, new Set([...tooBig(body), CODE.PERMISSION_DENIED]));
    h =
      o.code === CODE.OK
        ? await head()
        : await checkRefusedChangedNothing(tally, h, /^node\//, `${m.name} ${preview(req)}`);
  }
  client.close();
  report(tally, 'node API');
});

// ---- invariants after the gRPC fuzzing -----------------------------------------------------------

const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const NODE_ID = /^[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;

t('what the fuzzing could change holds no invalid names, figures or paths, and replays to the live hash', async () => {
  const { nodes } = await c.call('ListNodes', {});
  for (const n of nodes) {
    assert.match(n.id, NODE_ID, `node id ${preview(n.id)}`);
    for (const d of n.disks) {
      assert.match(d.diskId, NAME, `disk id ${preview(d.diskId)} on ${n.id}`);
      assert.ok(
        d.path.startsWith('/') && !d.path.split('/').includes('..') && !d.path.includes('\u0000'),
        `disk path ${preview(d.path)} on ${n.id}`,
      );
      for (const k of ['storageMaximum', 'storageAvailable', 'storageReserved'] as const)
        assert.ok(d[k] >= 0, `${n.id}/${d.diskId} ${k} ${d[k]}`);
    }
  }
  const { volumes } = await c.call('ListVolumes', {});
  for (const v of volumes) {
    assert.match(v.name, NAME, `volume name ${preview(v.name)}`);
    assert.ok(v.size > 0 && v.size % 4096 === 0, `${v.name} size ${v.size}`);
  }
  const v = await c.call('Verify', {});
  assert.ok(v.ok, `replay ${v.replayHash} == live ${v.liveHash}`);
  assert.not.ok(existsSync(SHELL_MARKER), 'no request ran a shell');
});

// ---- CSI --------------------------------------------------------------------------------------------

t('CSI: random and mutated requests for every method of Identity, Node and Controller', async () => {
  const r = fuzzRng('csi');
  const nodeEndpoint = c.info.nodes[0]!.csiEndpoint as string;
  const managerEndpoint = c.info.manager.csiEndpoint as string;
  assert.ok(nodeEndpoint && managerEndpoint, 'cluster.json names the CSI sockets');
  const csiRoot = join(sandbox, 'csi');
  mkdirSync(csiRoot, { recursive: true });
  // Paths a CSI request names are confined to the sandbox: the Node service mounts, unmounts and
  // removes what it is told to, as root.
  const confine = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.startsWith('/') && !v.startsWith(`${csiRoot}/`)
        ? `${csiRoot}${v.replace(/\.\.(\/|$)/g, 'dotdot$1')}`
        : v;
    if (Array.isArray(v)) return v.map(confine);
    if (v && typeof v === 'object' && !Buffer.isBuffer(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, confine(x)]));
    return v;
  };
  const gen: GenOptions = {
    pool: stringPool([
      'vol-0',
      NBD_VOLUME,
      `${csiRoot}/staging`,
      `${csiRoot}/target`,
      'ext4',
      'xfs',
      'btrfs',
      'SINGLE_NODE_WRITER',
    ]),
    missing: 0.3,
    hints: {
      volumeId: (x) => x.pick(['vol-0', NBD_VOLUME, 'nope', '']),
      stagingTargetPath: (x) => x.pick([`${csiRoot}/staging`, `${csiRoot}/stage-${x.int(1, 3)}`, 'relative', '']),
      targetPath: (x) => x.pick([`${csiRoot}/target`, `${csiRoot}/target-${x.int(1, 3)}`, 'relative', '']),
      volumePath: (x) => x.pick([`${csiRoot}/staging`, `${csiRoot}/target`, '']),
      fsType: (x) => x.pick(['ext4', 'xfs', 'btrfs', 'ext4; reboot', '']),
      'NodeStageVolumeRequest.publishContext': (x) => ({
        nbdUrl: x.pick(['http://x', '', 'nbd://', 'nbd://127.0.0.1:1/none']),
      }),
    },
  };
  const cap = { mount: { fsType: 'ext4' }, accessMode: { mode: 'SINGLE_NODE_WRITER' } };
  const valid: Record<string, Record<string, unknown>> = {
    GetPluginInfo: {},
    GetPluginCapabilities: {},
    Probe: {},
    NodeStageVolume: {
      volumeId: 'nope',
      stagingTargetPath: `${csiRoot}/staging`,
      volumeCapability: cap,
      publishContext: {},
    },
    NodeUnstageVolume: { volumeId: 'nope', stagingTargetPath: `${csiRoot}/staging` },
    NodePublishVolume: {
      volumeId: 'nope',
      stagingTargetPath: `${csiRoot}/staging`,
      targetPath: `${csiRoot}/target`,
      volumeCapability: cap,
    },
    NodeUnpublishVolume: { volumeId: 'nope', targetPath: `${csiRoot}/target` },
    NodeGetVolumeStats: { volumeId: 'nope', volumePath: `${csiRoot}/staging` },
    NodeExpandVolume: {
      volumeId: 'nope',
      volumePath: `${csiRoot}/staging`,
      capacityRange: { requiredBytes: 64 * MiB },
    },
    NodeGetCapabilities: {},
    NodeGetInfo: {},
    CreateVolume: { name: 'pvc-fz', capacityRange: { requiredBytes: 64 * MiB }, volumeCapabilities: [cap] },
    DeleteVolume: { volumeId: 'never-existed' },
    ControllerPublishVolume: { volumeId: 'vol-1', nodeId: 'node-1', volumeCapability: cap },
    ControllerUnpublishVolume: { volumeId: 'vol-1', nodeId: 'node-1' },
    ValidateVolumeCapabilities: { volumeId: 'vol-0', volumeCapabilities: [cap] },
    ListVolumes: {},
    GetCapacity: {},
    ControllerGetCapabilities: {},
    CreateSnapshot: { sourceVolumeId: 'vol-0', name: 'snap-fz' },
    DeleteSnapshot: { snapshotId: 'never-existed' },
    ListSnapshots: {},
    ControllerExpandVolume: { volumeId: 'vol-0', capacityRange: { requiredBytes: 64 * MiB } },
    ControllerGetVolume: { volumeId: 'vol-0' },
    ControllerModifyVolume: { volumeId: 'vol-0' },
  };
  // Every service and method csi.proto defines; Identity on both sockets, Node on the node's,
  // Controller on the manager's. UNIMPLEMENTED is allowed (and counted) for Controller only.
  const targets: [protobuf.Service, string][] = [
    [service(CSI, 'Identity'), nodeEndpoint],
    [service(CSI, 'Identity'), managerEndpoint],
    [service(CSI, 'Node'), nodeEndpoint],
    [service(CSI, 'Controller'), managerEndpoint],
  ];
  const clients = new Map<string, grpc.Client>();
  const tally = new Tally();
  const unimplemented = new Tally();
  const answered = new Set<string>();
  const calls = iterations(300);
  let h = await head();
  for (let i = 0; i < calls; i++) {
    // Every method at least once, then at random.
    const all = targets.flatMap(([s, e]) => s.methodsArray.map((m) => [s, e, m] as const));
    const [s, endpoint, m] = i < all.length ? all[i]! : r.pick(all);
    let client = clients.get(endpoint);
    if (!client) {
      client = rawClient(endpoint);
      clients.set(endpoint, client);
    }
    const k = r.next();
    const base = valid[m.name] ?? {};
    let req: Record<string, unknown>;
    let label: unknown;
    if (i < all.length) {
      req = base;
      label = req;
    } else if (k < 0.45) {
      req = randomObject(r, m.resolvedRequestType!, gen);
      label = req;
    } else {
      const x = mutateOne(r, m.resolvedRequestType!, base, gen);
      req = x.obj;
      label = { [x.what]: x.obj };
    }
    req = confine(req) as Record<string, unknown>;
    let body = encode(m.resolvedRequestType!, req);
    if (i >= all.length && k > 0.92) {
      body = mutateBytes(r, body);
      label = { bytes: body.toString('hex').slice(0, 80) };
    }
    const before = s.name === 'Node' ? await nodeCsiState() : '';
    const o = await rawUnary(client, pathOf(s, m), body, bearer(''), DEADLINE_MS * 3);
    const where = `${s.name}.${m.name}`;
    if (s.name === 'Node' && o.code !== CODE.OK && (await nodeCsiState()) !== before)
      tally.fail(
        `${where} ${preview(label)}: refused (${codeName(o.code)}), yet records, mounts or loop devices changed`,
      );
    if (o.code === CODE.UNIMPLEMENTED && s.name === 'Controller') {
      unimplemented.add(where, o);
      continue;
    }
    answered.add(where);
    checkOutcome(
      tally,
      where,
      label,
      o,
      s.name === 'Controller' ? CSI_CONTROLLER_REFUSALS : CSI_REFUSALS,
      tooBig(body),
    );
    // The Controller acts through the admin API: what it refuses must not have changed the state.
    if (s.name === 'Controller')
      h =
        o.code === CODE.OK
          ? await head()
          : await checkRefusedChangedNothing(tally, h, /^admin$/, `${where} ${preview(label)}`);
  }
  for (const cl of clients.values()) cl.close();
  console.log(unimplemented.table('CSI Controller methods answered UNIMPLEMENTED (not served yet)'));
  report(tally, 'CSI');
  for (const [s] of targets)
    for (const m of s.methodsArray) {
      const where = `${s.name}.${m.name}`;
      assert.ok(
        answered.has(where) || (s.name === 'Controller' && unimplemented.counts.has(where)),
        `${where} was called`,
      );
    }
  // Nothing the fuzzing asked for is left staged or mounted.
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(csiRoot));
  assert.equal(mounts, [], 'no mount left under the sandbox');
});

// ---- at the end: everyone alive, logs clean -----------------------------------------------------

t('every process of the cluster is still alive and no log shows an uncaught exception', async () => {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(alive(c.info.manager.pid), 'the manager is alive');
  for (const n of c.info.nodes) assert.ok(alive(n.pid), `${n.id} is alive`);
  for (const pid of c.info.etcdPids) assert.ok(alive(pid), `etcd ${pid} is alive`);
  const bad =
    /uncaught|unhandled|internal error|\bINTERNAL\b|TypeError|RangeError|ReferenceError|SyntaxError|ERR_[A-Z_]+|FATAL|heap out of memory/i;
  for (const f of logFiles()) {
    const text = readFileSync(f)
      .subarray(logStart.get(f) ?? 0)
      .toString('utf8');
    const lines = text.split('\n').filter((l) => bad.test(l));
    assert.equal(lines.slice(0, 10), [], `${f}`);
  }
});

t.run();

// The CLI over real gRPC against a stand-in Admin server (the manager's own end-to-end tests run
// the CLI against `cairn up`): bearer token, status codes, deadlines, and the WatchEvents stream
// through proto-loader, whose decoded events must replay to the same hash as the stored ones.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { adminProto, hasBearer } from '@cairn/api';
import type { AdminHandlers } from '@cairn/api';
import { emptyState, replay, stateHash } from '@cairn/metadata';
import { bufferIo, run } from '../src/index.js';
import { sampleLog } from './events-fixture.js';
import { volume } from './support.js';

const TOKEN = 'test-token';
const LOG = sampleLog();
let server: grpc.Server;
let endpoint = '';
let dir = '';

function fail(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/** Unary handlers that check the token like the manager does. */
function unary<Req, Res>(f: (req: Req) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, cb) => {
    if (!hasBearer(call.metadata, TOKEN))
      return cb(fail(grpc.status.UNAUTHENTICATED, 'a valid bearer token is required'));
    Promise.resolve()
      .then(() => f(call.request))
      .then(
        (r) => cb(null, r),
        (e: grpc.ServiceError) => cb(e),
      );
  };
}

const handlers: Partial<AdminHandlers> = {
  GetVolume: unary((r) => {
    if (r.name !== 'vol-a') throw fail(grpc.status.NOT_FOUND, `volume "${r.name}" does not exist`);
    return volume();
  }),
  ListVolumes: unary(() => ({ volumes: [volume()] })),
  CreateVolume: unary((r) => {
    if (r.name === 'taken') throw fail(grpc.status.ALREADY_EXISTS, 'volume "taken" exists with other parameters');
    return volume({ name: r.name, size: r.size, numberOfReplicas: r.numberOfReplicas || 3 });
  }),
  UpdateVolume: unary((r) =>
    volume({
      numberOfReplicas: r.numberOfReplicas ?? 3,
      dataLocality: r.dataLocality ?? 'disabled',
      diskSelector: r.diskSelector?.values ?? [],
    }),
  ),
  Verify: unary(async () => {
    await new Promise((res) => setTimeout(res, 1500));
    return { ok: true };
  }),
  AuditState: unary((r) => {
    const s = replay(emptyState(), sampleLog().slice(0, r.atSeq || LOG.length));
    return { seq: s.seq, hash: stateHash(s), stateJson: '' };
  }),
  WatchEvents: (call) => {
    if (!hasBearer(call.metadata, TOKEN)) {
      // emit('error'), not destroy(): a destroyed server stream never sends its status.
      call.emit('error', fail(grpc.status.UNAUTHENTICATED, 'a valid bearer token is required'));
      return;
    }
    for (const ev of LOG) if (ev.seq >= call.request.fromSeq) call.write(ev);
    if (!call.request.follow) call.end();
    // With follow the stream stays open until the client cancels.
  },
};

const t = suite('grpc');

t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-grpc-'));
  server = new grpc.Server();
  server.addService(adminProto().cairn.admin.v1.Admin.service, handlers as AdminHandlers);
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  endpoint = `127.0.0.1:${port}`;
});
t.after(() => {
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function cairn(argv: string[], env: Record<string, string> = {}, signal?: AbortSignal) {
  const io = bufferIo({
    env: { CAIRN_ENDPOINT: endpoint, CAIRN_TOKEN: TOKEN, ...env },
    cwd: dir,
    ...(signal ? { signal } : {}),
  });
  const code = await run(argv, io);
  return { code, out: io.out(), err: io.err() };
}

t('reads and writes with the token', async () => {
  const g = await cairn(['volume', 'get', 'vol-a', '-o', 'json']);
  assert.is(g.code, 0, g.err);
  assert.is((JSON.parse(g.out) as { name: string }).name, 'vol-a');
  const c = await cairn(['volume', 'create', 'new', '--size', '2Gi', '--replicas', '2']);
  assert.is(c.out, 'volume "new" created: 2Gi, 2 replicas, data locality disabled\n');
});

t('optional fields and StringList reach the server as set or unset', async () => {
  const u = await cairn(['volume', 'update', 'vol-a', '--replicas', '5', '--disk-selector', 'ssd', '-o', 'json']);
  assert.is(u.code, 0, u.err);
  const v = JSON.parse(u.out) as { numberOfReplicas: number; dataLocality: string; diskSelector: string[] };
  assert.is(v.numberOfReplicas, 5);
  assert.is(v.dataLocality, 'disabled'); // not sent, so the server saw it unset
  assert.equal(v.diskSelector, ['ssd']);
});

t("status codes become one line with the server's message", async () => {
  const nf = await cairn(['volume', 'get', 'x']);
  assert.is(nf.code, 1);
  assert.is(nf.err, 'cairn: not found: volume "x" does not exist\n');
  const ae = await cairn(['volume', 'create', 'taken', '--size', '1Gi']);
  assert.is(ae.err, 'cairn: already exists: volume "taken" exists with other parameters\n');
  const un = await cairn(['volume', 'ls'], { CAIRN_TOKEN: 'wrong' });
  assert.is(un.code, 1);
  assert.is(
    un.err,
    'cairn: unauthenticated: a valid bearer token is required; check the token (it came from CAIRN_TOKEN)\n',
  );
  const unimpl = await cairn(['node', 'ls']);
  assert.match(unimpl.err, /^cairn: the manager at 127\.0\.0\.1:\d+ does not implement this call/);
  const slow = await cairn(['audit', 'verify', '--timeout', '200ms']);
  assert.is(slow.code, 1);
  assert.match(slow.err, /^cairn: the manager at 127\.0\.0\.1:\d+ did not answer in time \(0\.2 s; see --timeout\)/);
});

t('events over the stream, from a seq', async () => {
  const r = await cairn(['events', '--from', String(LOG.length - 1)]);
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.is(lines.length, 2);
  assert.match(
    lines[0]!,
    new RegExp(`^\\s+${LOG.length - 1}\\s+\\S+Z\\s+test\\s+NodeUpdated\\s+node-2 scheduling=off evict=on tags=x$`),
  );
  assert.match(lines[1]!, /VolumeDeleted\s+vol-b$/);
});

t('a refused stream is one line too', async () => {
  const r = await cairn(['events', '-f'], { CAIRN_TOKEN: 'wrong' });
  assert.is(r.code, 1);
  assert.is(r.out, '');
  assert.is(
    r.err,
    'cairn: unauthenticated: a valid bearer token is required; check the token (it came from CAIRN_TOKEN)\n',
  );
});

t('events --follow stays open until aborted, then exits 0', async () => {
  const ac = new AbortController();
  const io = bufferIo({ env: { CAIRN_ENDPOINT: endpoint, CAIRN_TOKEN: TOKEN }, signal: ac.signal });
  const done = run(['events', '-f', '-o', 'json'], io);
  const deadline = Date.now() + 5000;
  while (io.out().split('\n').length <= LOG.length && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 20));
  assert.is(io.out().trimEnd().split('\n').length, LOG.length);
  ac.abort();
  assert.is(await done, 0);
  assert.is(io.err(), '');
});

t('export over gRPC, then an offline replay, gives the hash of the stored events', async () => {
  const file = join(dir, 'export.jsonl');
  const e = await cairn(['audit', 'export', file, '-o', 'json']);
  assert.is(e.code, 0, e.err);
  const summary = JSON.parse(e.out) as { events: number; seq: number; hash: string };
  const live = stateHash(replay(emptyState(), sampleLog()));
  assert.equal(summary, { file, events: LOG.length, seq: LOG.length, hash: live });
  const r = await cairn(['audit', 'replay', file, '-o', 'json', '--expect', live], { CAIRN_ENDPOINT: '127.0.0.1:1' });
  assert.is(r.code, 0, r.err);
  assert.is((JSON.parse(r.out) as { hash: string }).hash, live);
});

t('the binary: exit codes and one line on stderr', () => {
  const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
  const env = { ...process.env, CAIRN_ENDPOINT: endpoint, CAIRN_TOKEN: TOKEN, CAIRN_DEBUG: '' };
  // Synchronous spawn would block this process's gRPC server, so only calls that need no server here.
  const usage = spawnSync(process.execPath, [main, 'volume', 'create', 'v'], { env, encoding: 'utf8' });
  assert.is(usage.status, 2);
  assert.is(usage.stderr, 'cairn: --size is required (e.g. --size 1Gi); see "cairn volume create --help"\n');
  const down = spawnSync(process.execPath, [main, 'volume', 'ls', '--endpoint', '127.0.0.1:1'], {
    env,
    encoding: 'utf8',
  });
  assert.is(down.status, 1);
  assert.match(
    down.stderr,
    /^cairn: cannot reach the manager at 127\.0\.0\.1:1: .*ECONNREFUSED.*; is the cluster running\? \(cairn status\)\n$/,
  );
  const version = spawnSync(process.execPath, [main, 'version'], { env, encoding: 'utf8' });
  assert.is(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

t.run();

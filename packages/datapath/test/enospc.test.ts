// ENOSPC on a replica's disk: one of three replicas lives on a tiny tmpfs (mounted for the test,
// as root; the suite fails if it cannot mount, it does not skip). Writes beyond what that disk
// holds fail that replica, and only it: the engine drops it and reports a reason that names
// ENOSPC, every write is acknowledged by the other two, and they hold the same, complete data.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Engine, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';

const run = promisify(execFile);
const MiB = 2 ** 20;
const SIZE = 64 * MiB;
const DISK = 8 * MiB; // the small disk: a fraction of the volume
const SECRET = 'volume-secret';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let dir: string;
let small: string;
const t = suite('ENOSPC on a replica disk');
t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-enospc-'));
  small = join(dir, 'small-disk');
  mkdirSync(small);
  await run('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', small]);
});
t.after(async () => {
  await run('umount', [small]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

t('a replica whose disk fills up fails with ENOSPC; the volume goes on, consistent, on the others', async () => {
  const closers: (() => Promise<unknown>)[] = [];
  const serve = async (id: string, where: string) => {
    const store = await ReplicaStore.create(join(where, id), SIZE);
    const server = new ReplicaServer();
    server.addReplica(id, 'vol', store, SECRET);
    const a = await server.listen(0, '127.0.0.1');
    closers.push(
      () => server.close(),
      () => store.close().catch(() => undefined),
    );
    return { id, store, replica: await ReplicaClient.connect(`${a.host}:${a.port}`, id, SECRET) };
  };
  try {
    const nodes = [await serve('r1', dir), await serve('r2', dir), await serve('r3', small)];
    const failed: { id: string; reason: string }[] = [];
    const engine = await Engine.open(
      'vol',
      nodes.map((n, i) => ({ id: n.id, local: i === 0, replica: n.replica })),
      {
        onReplicaFailed: (id, reason) => {
          failed.push({ id, reason });
        },
      },
    );
    closers.unshift(() => engine.close());
    // Four times what the small disk holds, in 1 MiB writes, every one acknowledged.
    const expected = Buffer.alloc(SIZE);
    for (let i = 0; i < (4 * DISK) / MiB; i++) {
      const data = randomBytes(MiB);
      await engine.write(i * MiB, data);
      data.copy(expected, i * MiB);
    }
    await engine.flush();
    assert.equal(
      failed.map((f) => f.id),
      ['r3'],
      'only the replica on the full disk failed',
    );
    assert.match(failed[0]!.reason, /ENOSPC/, `the reason names ENOSPC: ${failed[0]!.reason}`);
    console.log(`    r3 failed: ${failed[0]!.reason}`);
    assert.equal(engine.replicaModes(), { r1: 'healthy', r2: 'healthy', r3: 'failed' });
    assert.is(sha(await engine.read(0, SIZE)), sha(expected), 'every acknowledged write reads back');
    for (const n of nodes.slice(0, 2))
      assert.is(sha(await n.store.read(0, SIZE)), sha(expected), `${n.id} holds every write`);
    // The engine still takes writes with the two.
    await engine.write(0, Buffer.alloc(4096, 7));
    await engine.flush();
  } finally {
    for (const close of closers) await close();
  }
});

t.run();

// The NBD frontend's I/O counters (src/metrics.ts), with a real client: nbdcopy writes a file into
// a memory-backed export and reads it back; the export's counters hold exactly the bytes moved
// each way, at least one request each, and a service time; a snapshot-like export name the
// lookup leaves uncounted is not counted; a server without ioStats counts nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoStats, IoStatsTable, MemoryBackend, NbdServer } from '../src/index.js';
import { run } from './nbd-support.js';

const MiB = 2 ** 20;
const t = suite('NBD frontend I/O counters');
let dir = '';

t.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-nbd-metrics-'));
});
t.after(() => rmSync(dir, { recursive: true, force: true }));

async function copyThrough(server: NbdServer, name: string, data: Buffer): Promise<Buffer> {
  const { port } = await server.listen(0, '127.0.0.1');
  const uri = `nbd://127.0.0.1:${port}/${name}`;
  writeFileSync(join(dir, 'in.bin'), data);
  const w = await run('nbdcopy', [join(dir, 'in.bin'), uri]);
  assert.is(w.code, 0, w.stderr);
  const r = await run('nbdcopy', [uri, join(dir, 'out.bin')]);
  assert.is(r.code, 0, r.stderr);
  return readFileSync(join(dir, 'out.bin'));
}

t('a write and a read through nbdcopy are counted, bytes exact, with a service time', async () => {
  const table = new IoStatsTable();
  const backend = new MemoryBackend(4 * MiB);
  const server = new NbdServer({
    exports: (n) => (n === 'vol' || n === 'vol@s1' ? backend : undefined),
    ioStats: (n) => (n.includes('@') ? undefined : table.of(n)),
  });
  try {
    const data = randomBytes(4 * MiB);
    const back = await copyThrough(server, 'vol', data);
    assert.ok(back.equals(data));
    const s = [...table.entries()];
    assert.equal(
      s.map(([n]) => n),
      ['vol'],
    );
    const io = s[0]![1];
    assert.is(io.writeBytes, 4 * MiB);
    assert.is(io.readBytes, 4 * MiB);
    assert.ok(io.writes >= 1 && io.reads >= 1, `${io.writes} writes, ${io.reads} reads`);
    assert.ok(io.writeMs > 0 && io.readMs > 0, `${io.writeMs} ms writing, ${io.readMs} ms reading`);
    // The snapshot view's export is looked up without counters: reading it adds nothing.
    const before = { ...io };
    const { port } = await server.listen(0, '127.0.0.1');
    const r = await run('nbdcopy', [`nbd://127.0.0.1:${port}/vol@s1`, join(dir, 'snap.bin')]);
    assert.is(r.code, 0, r.stderr);
    assert.equal({ ...io }, before);
    table.drop('vol');
    assert.is([...table.entries()].length, 0);
  } finally {
    await server.close();
  }
});

t('a server without ioStats serves the same data', async () => {
  const backend = new MemoryBackend(MiB);
  const server = new NbdServer({ exports: () => backend });
  try {
    const data = randomBytes(MiB);
    assert.ok((await copyThrough(server, 'x', data)).equals(data));
  } finally {
    await server.close();
  }
});

t('IoStats adds up what it is told', () => {
  const s = new IoStats();
  s.read(4096, 0.5);
  s.read(8192, 1.5);
  s.write(512, 2);
  assert.equal({ ...s }, { reads: 2, readBytes: 12288, readMs: 2, writes: 1, writeBytes: 512, writeMs: 2 });
});

t.run();

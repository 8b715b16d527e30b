// The NBD frontend against real clients installed on the machine (scripts/setup.sh installs them):
// nbdinfo, nbdcopy and nbdfuse (libnbd), fio's nbd engine, qemu-img. Memory-backed exports.
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryBackend, NbdServer } from '../src/index.js';
import type { BlockBackend } from '../src/index.js';
import { RawClient, run, sleep, until, within } from './nbd-support.js';

const MiB = 1024 * 1024;

const t = suite('nbd with real clients');
let server: NbdServer;
let port = 0;
let dir = '';
const logs: string[] = [];
const backends = new Map<string, BlockBackend>();
const uri = (name: string): string => `nbd://127.0.0.1:${port}/${name}`;

t.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-nbd-'));
  backends.set('vol-a', new MemoryBackend(256 * MiB));
  backends.set('vol-b', new MemoryBackend(64 * MiB));
  backends.set('big', new MemoryBackend(2 ** 40)); // 1 TiB, sparse
  server = new NbdServer({
    exports: (n) => backends.get(n),
    list: () => [...backends.keys()],
    log: (l) => logs.push(l),
  });
  port = (await server.listen(0, '127.0.0.1')).port;
});

t.after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  // Lines other than the garbage handshakes the tests send on purpose.
  const unexpected = logs.filter((l) => !/handshake: unknown client flags/.test(l));
  if (unexpected.length) console.log(`server log:\n  ${unexpected.slice(0, 20).join('\n  ')}`);
});

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

function ok(r: { code: number; stdout: string; stderr: string }, what: string): void {
  assert.is(r.code, 0, `${what} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
}

t('nbdinfo shows the export name, size, flags and block sizes', async () => {
  const r = await run('nbdinfo', ['--json', uri('vol-a')]);
  ok(r, 'nbdinfo');
  const info = JSON.parse(r.stdout) as { protocol: string; exports: Array<Record<string, unknown>> };
  assert.is(info.protocol, 'newstyle-fixed');
  const e = info.exports[0]!;
  assert.is(e['export-name'], 'vol-a');
  assert.is(e['export-size'], 256 * MiB);
  for (const k of ['can_flush', 'can_fua', 'can_trim', 'can_zero', 'can_multi_conn']) assert.is(e[k], true, k);
  assert.is(e['is_read_only'], false);
  assert.equal([e['block_size_minimum'], e['block_size_preferred'], e['block_size_maximum']], [512, 4096, 32 * MiB]);

  const big = await run('nbdinfo', ['--size', uri('big')]);
  ok(big, 'nbdinfo --size');
  assert.is(big.stdout.trim(), String(2 ** 40));

  const missing = await run('nbdinfo', [uri('nope')]);
  assert.is.not(missing.code, 0);
  assert.match(missing.stderr, /nope/);
});

t('nbdinfo --list lists the exports (NBD_OPT_LIST)', async () => {
  const r = await run('nbdinfo', ['--json', '--list', `nbd://127.0.0.1:${port}`]);
  ok(r, 'nbdinfo --list');
  const info = JSON.parse(r.stdout) as { exports: Array<Record<string, unknown>> };
  assert.equal(info.exports.map((e) => e['export-name']).sort(), ['big', 'vol-a', 'vol-b']);
  assert.equal(info.exports.map((e) => e['export-size']).sort(), [256 * MiB, 64 * MiB, 2 ** 40].sort());
});

t(
  'nbdcopy round trip of 256 MiB of random data over 4 connections each way: equal sha256; qemu-img agrees',
  async () => {
    const src = join(dir, 'src.bin');
    const dst = join(dir, 'dst.bin');
    const f = await open(src, 'w');
    for (let i = 0; i < 64; i++) await f.write(randomBytes(4 * MiB));
    await f.close();
    const before = server.acceptedCount;
    ok(await run('nbdcopy', ['--connections=4', '--threads=4', src, uri('vol-a')], 60_000), 'nbdcopy to nbd');
    assert.ok(server.acceptedCount - before >= 4, `nbdcopy used ${server.acceptedCount - before} connections`);
    ok(await run('nbdcopy', ['--connections=4', '--threads=4', uri('vol-a'), dst], 60_000), 'nbdcopy from nbd');
    const [a, b] = await Promise.all([sha256(src), sha256(dst)]);
    assert.is(b, a);
    const cmp = await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', src, uri('vol-a')], 60_000);
    ok(cmp, 'qemu-img compare');
    assert.match(cmp.stdout, /identical/);
    rmSync(src);
    rmSync(dst);
  },
);

t('qemu-img info reads the virtual size; qemu-img convert writes through the export', async () => {
  const info = await run('qemu-img', ['info', '--output=json', uri('vol-b')]);
  ok(info, 'qemu-img info');
  assert.is((JSON.parse(info.stdout) as { 'virtual-size': number })['virtual-size'], 64 * MiB);
  const img = join(dir, 'img.raw');
  const data = Buffer.alloc(64 * MiB);
  randomBytes(3 * MiB).copy(data, 5 * MiB);
  writeFileSync(img, data);
  ok(await run('qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'raw', img, uri('vol-b')]), 'qemu-img convert');
  assert.equal(await backends.get('vol-b')!.read(5 * MiB, 3 * MiB), data.subarray(5 * MiB, 8 * MiB));
  ok(await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', img, uri('vol-b')]), 'qemu-img compare');
  rmSync(img);
});

const fioArgs = (name: string, extra: string[]): string[] => [
  `--name=${name}`,
  '--ioengine=nbd',
  `--uri=${uri('vol-b')}`,
  '--output-format=json',
  ...extra,
];

function fioErrors(stdout: string): number[] {
  const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { jobs: Array<{ error: number }> };
  return json.jobs.map((j) => j.error);
}

t('fio (nbd engine) random writes at QD32 with --verify=crc32c', async () => {
  const r = await run(
    'fio',
    fioArgs('verify', [
      '--rw=randwrite',
      '--bs=4k',
      '--iodepth=32',
      '--size=64m',
      '--verify=crc32c',
      '--verify_fatal=1',
      '--do_verify=1',
    ]),
    60_000,
  );
  ok(r, 'fio');
  assert.equal(fioErrors(r.stdout), [0]);
});

t('fio: 4 jobs (4 connections) at once, mixed sizes from 512 B to 128 KiB, verified', async () => {
  const before = server.acceptedCount;
  const r = await run(
    'fio',
    fioArgs('mixed', [
      '--numjobs=4',
      '--size=16m',
      '--offset_increment=16m',
      '--rw=randwrite',
      '--bsrange=512-128k',
      '--iodepth=16',
      '--verify=crc32c',
      '--verify_fatal=1',
      '--do_verify=1',
      '--group_reporting=0',
    ]),
    60_000,
  );
  ok(r, 'fio');
  assert.equal(fioErrors(r.stdout), [0, 0, 0, 0]);
  assert.ok(server.acceptedCount - before >= 4);
});

t('garbage handshakes while fio runs: each garbage connection is closed, fio is unaffected', async () => {
  const fio = run(
    'fio',
    fioArgs('under-fire', [
      '--rw=randwrite',
      '--bs=4k',
      '--iodepth=32',
      '--size=64m',
      '--loops=3',
      '--verify=crc32c',
      '--verify_fatal=1',
    ]),
    60_000,
  );
  await until(() => server.connectionCount > 0, 10_000, 'fio connected');
  let closed = 0;
  for (let i = 0; i < 20; i++) {
    const c = await RawClient.connect(port);
    c.write(i % 2 ? randomBytes(64) : Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'));
    await within(c.closed, 3000, 'garbage connection closed');
    closed++;
    await sleep(20);
  }
  const r = await fio;
  ok(r, 'fio');
  assert.equal(fioErrors(r.stdout), [0]);
  assert.is(closed, 20);
});

t('nbdfuse exposes the export as a file: writes land in the backend, reads come back', async () => {
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const pidfile = join(dir, 'nbdfuse.pid');
  const child = spawn('nbdfuse', ['-P', pidfile, mnt, uri('vol-b')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  try {
    await until(() => existsSync(pidfile), 10_000, `nbdfuse ready (${stderr})`);
    const file = join(mnt, 'nbd');
    const data = randomBytes(1 * MiB);
    const fh = await open(file, 'r+');
    try {
      assert.is((await fh.stat()).size, 64 * MiB);
      await fh.write(data, 0, data.length, 40 * MiB);
      await fh.sync();
      const back = Buffer.alloc(data.length);
      await fh.read(back, 0, back.length, 40 * MiB);
      assert.equal(back, data);
    } finally {
      await fh.close();
    }
    assert.equal(await backends.get('vol-b')!.read(40 * MiB, data.length), data);
  } finally {
    await run('fusermount3', ['-u', mnt]);
    await within(exited, 5000, 'nbdfuse exit').catch(() => {});
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

t('after all of it the server has no connections left', async () => {
  await until(() => server.connectionCount === 0, 5000, 'connections closed');
  assert.ok(server.acceptedCount > 30);
});

t.run();

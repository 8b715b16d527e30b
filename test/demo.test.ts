// `npm start` runs `cairn demo`: it must bring up etcd, project the log, and show equal hashes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const CAIRN = fileURLToPath(new URL('../../packages/cli/dist/src/main.js', import.meta.url));
const demo = suite('cairn demo');

demo('shows a healthy 3-replica volume and a replay hash equal to the live one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-demo-'));
  try {
    const { stdout } = await run('node', [CAIRN, 'demo', '--dir', join(dir, 'd')], { timeout: 60_000 });
    assert.match(stdout, /volume demo-vol: 1 GiB, 3 replicas, robustness healthy/);
    assert.match(stdout, /replica demo-vol-r3 on node-3 \(zone-c\)/);
    const live = /state hash at seq 13: ([0-9a-f]{64})/.exec(stdout)?.[1];
    const replayed = /replay from seq 1: +([0-9a-f]{64}) \(equal\)/.exec(stdout)?.[1];
    assert.ok(live, 'prints the live hash');
    assert.is(replayed, live);
    assert.ok(existsSync(join(dir, 'd', 'etcd-0')), 'etcd data lives under --dir');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

demo('an unknown command is one clear line and a non-zero exit', async () => {
  try {
    await run('node', [CAIRN, 'frobnicate']);
    assert.unreachable();
  } catch (e) {
    const err = e as { code: number; stderr: string };
    assert.is(err.code, 2);
    assert.is(err.stderr.trim(), 'cairn: unknown command "frobnicate"; run "cairn help" for the list');
  }
});

demo.run();

// The agent's filesystem trims (trim-runner.ts) against the real host: the CSI stage records on
// disk, /proc/self/mountinfo and the real fstrim. Each assignment runs once and is reported (said
// again when the report fails); a volume not staged here, staged as a raw block device or not
// mounted is "not run" with the reason; fstrim failing (tmpfs has no discard) reports its stderr.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@cairn/api';
import type { ReportRequest, TrimReport } from '@cairn/api';
import { StageRecords } from '@cairn/csi';
import type { StageRecord } from '@cairn/csi';
import { parseFstrim, TrimRunner } from '../src/trim-runner.js';

test('fstrim -v output: the bytes trimmed, with or without the device; anything else is no number', () => {
  assert.is(parseFstrim('/mnt/x: 5 MiB (5242880 bytes) trimmed on /dev/loop3\n'), 5242880);
  assert.is(parseFstrim('/mnt/x: 0 B (0 bytes) trimmed\n'), 0);
  assert.is(parseFstrim('nothing here'), null);
});

/** A runner whose reports are collected; the first `failFirst` reports are refused (no manager). */
function runner(csiStateDir: string | null, failFirst = 0) {
  const reports: TrimReport[] = [];
  let calls = 0;
  const waiters: (() => void)[] = [];
  const r = new TrimRunner({
    nodeId: 'n1',
    csiStateDir,
    logger: silentLogger(),
    report: async (req: Omit<ReportRequest, 'nodeId'>) => {
      if (calls++ < failFirst) throw new Error('no manager');
      reports.push(...(req.trims ?? []));
      waiters.splice(0).forEach((w) => w());
    },
  });
  const reported = async (n: number): Promise<TrimReport[]> => {
    while (reports.length < n) await new Promise<void>((res) => waiters.push(res));
    return reports;
  };
  return { r, reports, reported, calls: () => calls };
}

const record = (volumeId: string, stagingPath: string, kind: 'mount' | 'block'): StageRecord => ({
  volumeId,
  stagingPath,
  nbdUrl: '',
  accessMode: 'SINGLE_NODE_WRITER',
  attach: { kind: 'nbd' },
  publishes: {},
  access: kind === 'mount' ? { kind: 'mount', fsType: 'ext4', mountFlags: [], mkfsParams: [] } : { kind: 'block' },
});

test('no CSI node service, no stage record, a block volume, a staging path not mounted: "no mounted filesystem", each once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-trim-'));
  try {
    const none = runner(null);
    none.r.apply([{ job: 'j', fireMs: 1, volume: 'v' }]);
    assert.equal(await none.reported(1), [
      {
        job: 'j',
        fireMs: 1,
        volume: 'v',
        trimmedBytes: 0,
        error: 'not run: volume v has no mounted filesystem on node n1',
      },
    ]);
    const records = new StageRecords(dir);
    mkdirSync(join(dir, 'stage-b'));
    records.put(record('b', join(dir, 'stage-b'), 'block'));
    mkdirSync(join(dir, 'stage-m'));
    records.put(record('m', join(dir, 'stage-m'), 'mount'));
    const x = runner(dir);
    const trims = [
      { job: 'j', fireMs: 2, volume: 'absent' },
      { job: 'j', fireMs: 2, volume: 'b' },
      { job: 'j', fireMs: 2, volume: 'm' },
    ];
    x.r.apply(trims);
    x.r.apply(trims);
    const got = await x.reported(3);
    assert.equal(got.map((t) => [t.volume, t.error]).sort(), [
      ['absent', 'not run: volume absent has no mounted filesystem on node n1'],
      ['b', 'not run: volume b has no mounted filesystem on node n1'],
      ['m', 'not run: volume m has no mounted filesystem on node n1'],
    ]);
    await new Promise((res) => setTimeout(res, 100));
    assert.is(x.reports.length, 3, 'an assignment seen again is not run again');
    x.r.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fstrim failing on the mounted staging path (tmpfs: no discard) reports its stderr; a refused report is said again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-trim-'));
  const staging = join(dir, 'stage');
  mkdirSync(staging);
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', staging]);
  try {
    new StageRecords(dir).put(record('t', staging, 'mount'));
    const x = runner(dir, 1);
    x.r.apply([{ job: 'j', fireMs: 3, volume: 't' }]);
    const [t] = await x.reported(1);
    assert.match(
      t!.error!,
      new RegExp(`^fstrim ${staging} failed: fstrim: ${staging}: the discard operation is not supported`),
    );
    assert.is(t!.trimmedBytes, 0);
    assert.is(x.calls(), 2, 'the first report was refused, the second recorded');
    x.r.stop();
  } finally {
    execFileSync('umount', [staging]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

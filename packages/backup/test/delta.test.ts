// Deltas of a block's 4 KiB pages (src/delta.ts): which pages go into one, that applying it to
// the previous content gives the new content, and that a malformed delta is CORRUPT, not applied
// past the block.
import { randomFillSync } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BackupError } from '../src/index.js';
import { applyDelta, changedRuns, encodeDelta, MAX_DELTA_SHARE, PAGE } from '../src/delta.js';
import { BACKUP_BLOCK_SIZE, decodeDelta, encodeBlock, sha256 } from '../src/format.js';

const test = suite('block deltas');
const what = 'backup b of volume v: block at offset 0: delta 1 of 1';
const block = (): Buffer => randomFillSync(Buffer.alloc(BACKUP_BLOCK_SIZE));

test('changed pages become runs (adjacent pages merged) and rebuild the new content', () => {
  const base = block();
  const cur = Buffer.from(base);
  cur[5]! ^= 1; // page 0
  cur.fill(9, 7 * PAGE + 10, 9 * PAGE - 1); // pages 7 and 8: one run
  cur[BACKUP_BLOCK_SIZE - 1]! ^= 0xff; // the last page
  const runs = changedRuns(base, cur)!;
  assert.equal(runs, [
    { offset: 0, length: PAGE },
    { offset: 7 * PAGE, length: 2 * PAGE },
    { offset: BACKUP_BLOCK_SIZE - PAGE, length: PAGE },
  ]);
  const delta = encodeDelta(runs, cur);
  assert.is(delta.length, 8 + 3 * 8 + 4 * PAGE);
  const rebuilt = Buffer.from(base);
  applyDelta(rebuilt, delta, what);
  assert.ok(rebuilt.equals(cur));
  assert.equal(changedRuns(base, Buffer.from(base)), []);
});

test('more than a quarter of the pages changed, or another length, is no delta', () => {
  const base = block();
  const pages = BACKUP_BLOCK_SIZE / PAGE;
  const cur = Buffer.from(base);
  for (let p = 0; p < pages * MAX_DELTA_SHARE; p++) cur[p * 2 * PAGE]! ^= 1;
  assert.is(changedRuns(base, cur)!.length, pages * MAX_DELTA_SHARE);
  cur[BACKUP_BLOCK_SIZE - 1]! ^= 1;
  assert.is(changedRuns(base, cur), null);
  assert.is(changedRuns(base, base.subarray(0, PAGE * 3)), null);
});

test("a short block (the volume's last) compares its short last page too", () => {
  const base = randomFillSync(Buffer.alloc(4 * PAGE + 100));
  const cur = Buffer.from(base);
  cur[4 * PAGE + 50]! ^= 1;
  const runs = changedRuns(base, cur)!;
  assert.equal(runs, [{ offset: 4 * PAGE, length: 100 }]);
  const rebuilt = Buffer.from(base);
  applyDelta(rebuilt, encodeDelta(runs, cur), what);
  assert.ok(rebuilt.equals(cur));
});

test('a delta is stored compressed when it compresses and read back only when it matches its id', async () => {
  const base = Buffer.alloc(BACKUP_BLOCK_SIZE, 1);
  const cur = Buffer.from(base).fill(2, PAGE, 3 * PAGE);
  const delta = encodeDelta(changedRuns(base, cur)!, cur);
  const stored = await encodeBlock(delta);
  assert.ok(stored.length < delta.length / 10, `${stored.length} bytes stored`);
  assert.ok((await decodeDelta(stored, sha256(delta), what)).equals(delta));
  try {
    await decodeDelta(stored, sha256(cur), what);
    assert.unreachable('accepted a delta under another id');
  } catch (e) {
    assert.instance(e, BackupError);
    assert.is((e as BackupError).code, 'CORRUPT');
    assert.match((e as Error).message, what);
  }
});

test('a malformed delta is CORRUPT and writes nothing past the block', () => {
  const base = block();
  const cur = Buffer.from(base).fill(3, 0, PAGE);
  const good = encodeDelta(changedRuns(base, cur)!, cur);
  const past = Buffer.from(good);
  past.writeUInt32LE(BACKUP_BLOCK_SIZE - 10, 8); // the run would end past the block
  const cases: [Buffer, string][] = [
    [Buffer.from('XXXX\0\0\0\0'), 'no CDL1 header'],
    [good.subarray(0, 12), 'more than it holds'],
    [past, 'past the block'],
    [good.subarray(0, good.length - 1), 'past the block or the delta'],
    [Buffer.concat([good, Buffer.from('x')]), 'after its runs'],
  ];
  for (const [bad, why] of cases) {
    try {
      applyDelta(Buffer.from(base), bad, what);
      assert.unreachable(`applied: ${why}`);
    } catch (e) {
      assert.is((e as BackupError).code, 'CORRUPT');
      assert.match((e as Error).message, why);
    }
  }
});

test.run();

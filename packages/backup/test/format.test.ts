// The stored form of a block: gzip when it compresses, the bytes themselves when not, and a
// restore that accepts only bytes matching the block's checksum, whichever form it finds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomFillSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { BackupError } from '../src/index.js';
import { BACKUP_BLOCK_SIZE, decodeBlock, encodeBlock, sha256 } from '../src/format.js';

const test = suite('block format');
const what = 'backup b of volume v: block at offset 0';

const corrupt = async (stored: Buffer, sum: string, len: number, mention: string): Promise<void> => {
  try {
    await decodeBlock(stored, sum, len, what);
    assert.unreachable('accepted');
  } catch (e) {
    assert.instance(e, BackupError);
    assert.is((e as BackupError).code, 'CORRUPT');
    assert.match((e as Error).message, what);
    assert.match((e as Error).message, mention);
  }
};

test('a block that compresses is stored gzipped and decodes to itself', async () => {
  const data = Buffer.alloc(BACKUP_BLOCK_SIZE);
  for (let i = 0; i < data.length; i += 64) data.write(`line ${i} of a text file\n`, i);
  const stored = await encodeBlock(data);
  assert.ok(stored.length < data.length / 4, `${stored.length} bytes`);
  assert.equal([stored[0], stored[1]], [0x1f, 0x8b]);
  assert.ok((await decodeBlock(stored, sha256(data), data.length, what)).equals(data));
});

test('a block that does not compress is stored as it is', async () => {
  const data = randomFillSync(Buffer.alloc(BACKUP_BLOCK_SIZE));
  const stored = await encodeBlock(data);
  assert.is(stored, data);
  assert.ok((await decodeBlock(stored, sha256(data), data.length, what)).equals(data));
});

test("a raw block that starts with gzip's magic bytes is still read as it is", async () => {
  const data = randomFillSync(Buffer.alloc(64 * 1024));
  data[0] = 0x1f;
  data[1] = 0x8b;
  data[2] = 0x08;
  assert.is(await encodeBlock(data), data);
  assert.ok((await decodeBlock(data, sha256(data), data.length, what)).equals(data));
});

test('anything that does not match the checksum is CORRUPT, saying why', async () => {
  const data = randomFillSync(Buffer.alloc(64 * 1024));
  const sum = sha256(data);
  await corrupt(Buffer.from(data).fill(0, 100, 200), sum, data.length, 'does not match');
  await corrupt(data.subarray(0, 4096), sum, data.length, '4096 bytes, expected 65536');
  await corrupt(
    gzipSync(Buffer.alloc(64 * 1024, 7)),
    sum,
    data.length,
    'gunzips to data whose checksum does not match',
  );
  await corrupt(gzipSync(data).subarray(0, 1000), sum, data.length, 'does not gunzip');
  await corrupt(gzipSync(Buffer.alloc(BACKUP_BLOCK_SIZE + 4096)), sum, data.length, 'does not gunzip');
});

test.run();

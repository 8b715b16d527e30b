// Limits before authentication, under attack (issue 15): on loopback, thousands of connections
// that never authenticate, to the replica port and to the NBD port, each sending an oversized frame
// header followed by as much payload as the server will take, while an NBD client that was already
// connected (an attached volume) writes and reads through the NBD server and the replica server.
// The servers run in a child process (flood-child.ts) so the RSS measured is theirs alone.
//
// Bound: the servers' peak RSS during the flood stays within FLOOD_RSS_BOUND of their RSS before
// it. Before the caps, every connection's payload was buffered: 2000 × 256 KiB to each port is a
// gigabyte; with them, a connection before HELLO / in the handshake holds at most one HELLO or
// one option header, and at most MAX_UNAUTHENTICATED / maxHandshaking of them are open at once.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeRequest, Op } from '../src/replica/protocol.js';
import { nbd as P } from '../src/index.js';
import { RawClient } from './nbd-support.js';
import { MiB, pattern, scratch } from './replica-support.js';

const run = promisify(execFile);
const SIZE = 64 * MiB;
/** Connections per port. */
const ATTACKERS = 2000;
/** What each attacker tries to make the server hold. */
const PER_ATTACKER = 256 * 1024;
/** At once, so the listen backlog is not what refuses them. */
const BATCH = 250;
/** The stated bound (datapath README, "Limits"): peak RSS growth during the flood. */
const FLOOD_RSS_BOUND = 96 * MiB;

const test = suite('flood before authentication');
let child: ChildProcess;
let cleanup: () => Promise<void>;
let ports: { replicaPort: number; nbdPort: number };

interface Stats {
  rss: number;
  peakRss: number;
  refused: { replica: number; nbd: number };
}
function stats(reset = false): Promise<Stats> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Stats));
    child.send({ reset });
  });
}

test.before(async () => {
  let dir: string;
  ({ dir, cleanup } = await scratch());
  child = fork(fileURLToPath(new URL('./flood-child.js', import.meta.url)), [`${dir}/r1`, String(SIZE)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`flood child exited ${code}`)));
  });
  ports = JSON.parse(line) as typeof ports;
});
test.after(async () => {
  child.disconnect();
  await new Promise((r) => child.once('exit', r));
  await cleanup();
});

/** One attacker: connects, sends `first` and then payload until the server closes; resolves when closed (or after 5 s). */
const lingered = new Map<number, number>();
function attack(port: number, first: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      lingered.set(port, (lingered.get(port) ?? 0) + 1);
      s.destroy();
    }, 5000);
    s.on('error', () => {});
    s.resume(); // reading, so the server's close is seen
    s.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.on('connect', () => {
      s.write(first);
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      let sent = 0;
      const more = (): void => {
        while (sent < PER_ATTACKER && !s.destroyed) {
          sent += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', more);
            return;
          }
        }
      };
      more();
    });
  });
}

async function flood(port: number, first: Buffer): Promise<void> {
  for (let i = 0; i < ATTACKERS; i += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, ATTACKERS - i) }, () => attack(port, first)));
  }
}

// A 32 MiB HELLO before authenticating, as the review describes.
const replicaFrame = encodeRequest(Op.HELLO, 0, 1, 0, 0, 32 * MiB);
// Client flags, then NBD_OPT_GO announcing 1 MiB of data (what the old limit let through).
const nbdFrame = (() => {
  const b = Buffer.alloc(4 + 16);
  b.writeUInt32BE(P.FLAG_C_FIXED_NEWSTYLE | P.FLAG_C_NO_ZEROES, 0);
  b.writeBigUInt64BE(P.IHAVEOPT, 4);
  b.writeUInt32BE(P.OPT_GO, 12);
  b.writeUInt32BE(1024 * 1024, 16);
  return b;
})();

test('the servers stay under the RSS bound and an attached volume keeps serving correct data', async () => {
  const t0 = Date.now();
  const client = await RawClient.open(ports.nbdPort, 'vol');
  // Warm up: the I/O path's buffers exist before the baseline is taken.
  for (let i = 0; i < 16; i++) assert.is(await client.writeAt(i * MiB, pattern(MiB, 100 + i)), 0);
  const before = await stats(true);

  let ios = 0;
  let done = false;
  const io = (async () => {
    for (let i = 0; !done; i++) {
      const at = (i % 48) * MiB + 16 * MiB;
      const len = 64 * 1024;
      assert.is(await client.writeAt(at, pattern(len, i)), 0, `write ${i}`);
      assert.ok((await client.readAt(at, len)).equals(pattern(len, i)), `read back ${i}`);
      ios++;
    }
  })();
  const f0 = Date.now();
  await Promise.all([flood(ports.replicaPort, replicaFrame), flood(ports.nbdPort, nbdFrame)]);
  const floodMs = Date.now() - f0;
  done = true;
  await io;
  const after = await stats();
  const growth = after.peakRss - before.rss;
  console.log(
    `   baseline RSS ${(before.rss / MiB).toFixed(0)} MiB, peak during the flood ${(after.peakRss / MiB).toFixed(0)} MiB; ` +
      `refused on accept: ${JSON.stringify(after.refused)}; ${ios} writes of 64 KiB read back meanwhile; ` +
      `flood ${floodMs} ms; still open after 5 s: ${JSON.stringify([...lingered])}`,
  );
  assert.ok(
    growth < FLOOD_RSS_BOUND,
    `peak RSS grew ${(growth / MiB).toFixed(0)} MiB, over ${FLOOD_RSS_BOUND / MiB} MiB`,
  );
  assert.ok(ios > 0, 'the attached volume served I/O during the flood');
  await client.disconnect();

  // After the flood, an independent client (nbdcopy) reads the whole volume: every byte as written.
  const { stdout } = await run('nbdcopy', [`nbd://127.0.0.1:${ports.nbdPort}/vol`, '-'], {
    encoding: 'buffer',
    maxBuffer: SIZE + MiB,
  });
  assert.is(stdout.length, SIZE);
  for (let i = 0; i < 16; i++)
    assert.ok(stdout.subarray(i * MiB, (i + 1) * MiB).equals(pattern(MiB, 100 + i)), `MiB ${i}`);
  assert.ok(Date.now() - t0 < 60_000, 'bounded run time');
});

test.run();

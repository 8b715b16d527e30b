// The engine-session mark (issue 13, the gap the datapath README named): two replicas both clean
// at one revision can still differ in unacknowledged writes when the ENGINE died mid-write, since
// cleanShutdown describes the replica's process, not the engine's. Engine.open sets a durable
// per-store mark (markEngine, op 40), Engine.close clears it after its final flush, and
// chooseHealthy treats a replica still marked like an unclean one: one chosen, the others rebuilt.
// Real stores on disk behind ReplicaServers over TCP; engine A runs in its own process, SIGKILLed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chooseHealthy, Engine, ReplicaClient, ReplicaServer, ReplicaStore } from '../src/index.js';
import type { EngineReplica } from '../src/index.js';
import { MiB, pattern, scratch } from './replica-support.js';

const SIZE = 16 * MiB;
const SECRET = 'volume-secret';
let dir: string;
let cleanup: () => Promise<void>;
const closers: (() => Promise<unknown>)[] = [];
const t = suite('engine session mark');

t.before(async () => {
  ({ dir, cleanup } = await scratch());
});
t.after.each(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
});
t.after(async () => {
  await cleanup();
});

async function node(id: string): Promise<{ store: ReplicaStore; address: string }> {
  const store = await ReplicaStore.create(join(dir, `${id}-${Math.random().toString(36).slice(2)}`), SIZE);
  const server = new ReplicaServer();
  server.addReplica(id, 'vol', store, SECRET);
  const a = await server.listen(0, '127.0.0.1');
  closers.push(
    () => server.close(),
    () => store.close().catch(() => undefined),
  );
  return { store, address: `${a.host}:${a.port}` };
}

async function member(id: string, address: string): Promise<EngineReplica> {
  return { id, local: false, replica: await ReplicaClient.connect(address, id, SECRET) };
}

/** Engine A in its own process; resolves once it has had `writes` writes acknowledged. */
async function engineProcess(members: string[], writes: number): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./engine-session-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, SECRET, ...members], { stdio: ['ignore', 'pipe', 'inherit'] });
  closers.push(async () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l === `acked ${writes}`) resolve();
    });
    child.once('exit', (code) => reject(new Error(`engine child exited with ${code}`)));
  });
  return child;
}

t('the mark: set by open, durable across a store reopen, cleared by close after its flush', async () => {
  const a = await node('r1');
  assert.is((await a.store.info()).engineOpen, false);
  const engine = await Engine.open('vol', [await member('r1', a.address)]);
  assert.is((await a.store.info()).engineOpen, true, 'open sets it');
  await engine.write(0, pattern(4096, 1));
  await engine.close();
  assert.is((await a.store.info()).engineOpen, false, 'close clears it');
  // Durable: set, then the store closed (its process's clean close) and reopened.
  await a.store.markEngine(true);
  const path = a.store.dir;
  await a.store.close();
  const again = await ReplicaStore.open(path);
  closers.push(() => again.close());
  const info = await again.info();
  assert.is(info.cleanShutdown, true);
  assert.is(info.engineOpen, true, 'the mark survives a clean close of the store');
});

t('engine A SIGKILLed mid-writes: engine B does not serve both replicas as healthy', async () => {
  const a = await node('r1');
  const b = await node('r2');
  const child = await engineProcess([`r1=${a.address}`, `r2=${b.address}`], 200);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  // Both replica processes lived on: each store is "clean" as far as its own process goes.
  const [ia, ib] = [await a.store.info(), await b.store.info()];
  assert.ok(ia.cleanShutdown && ib.cleanShutdown);
  assert.ok(ia.engineOpen && ib.engineOpen, 'the dead engine left its mark on both');
  const failed: string[] = [];
  const engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)], {
    onReplicaFailed: (id, why) => {
      failed.push(`${id}: ${why}`);
    },
  });
  closers.push(() => engine.close());
  const modes = engine.replicaModes();
  assert.is(
    Object.values(modes).filter((m) => m === 'healthy').length,
    1,
    `one served as healthy, got ${JSON.stringify(modes)}`,
  );
  assert.is(failed.length, 1);
  assert.match(failed[0]!, /an engine died with it open|unclean|stale/);
});

t('a cleanly closed engine: its replicas reopen all healthy', async () => {
  const a = await node('r1');
  const b = await node('r2');
  const first = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)]);
  for (let i = 0; i < 50; i++) await first.write(i * 4096, pattern(4096, i));
  await first.close();
  assert.is((await a.store.info()).engineOpen, false);
  assert.is((await b.store.info()).engineOpen, false);
  const failed: string[] = [];
  const engine = await Engine.open('vol', [await member('r1', a.address), await member('r2', b.address)], {
    onReplicaFailed: (id, why) => {
      failed.push(`${id}: ${why}`);
    },
  });
  closers.push(() => engine.close());
  assert.equal(engine.replicaModes(), { r1: 'healthy', r2: 'healthy' });
  assert.equal(failed, []);
});

t('chooseHealthy: a replica marked by a dead engine counts as unclean, clean ones at one revision do not', () => {
  const c = (id: string, engineOpen: boolean) => ({
    id,
    local: false,
    info: { revision: 9, cleanShutdown: true, rebuilding: false, engineOpen },
  });
  assert.equal(chooseHealthy([c('a', false), c('b', false)]).healthy, ['a', 'b']);
  const r = chooseHealthy([c('a', true), c('b', true)]);
  assert.equal(r.healthy, ['a']);
  assert.match(r.dropped.find((d) => d.id === 'b')!.reason, /an engine died with it open/);
  // An unmarked clean one at the same revision wins the tie over a marked one.
  assert.equal(chooseHealthy([c('a', true), c('b', false)]).healthy, ['b']);
});

t.run();

// The volume secret store on a real etcd (volume-secrets.ts), as two managers would use it: they
// agree on one random secret, a deleted volume's secret is never a new volume's, volumes from
// before secrets were kept keep their derived one; and the node token format (@cairn/api auth.ts).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Metadata } from '@grpc/grpc-js';
import { callerOf, nodeOfToken, nodeToken } from '@cairn/api';
import { Keys } from '@cairn/metadata';
import type { Etcd3, VolumeState } from '@cairn/metadata';
import { startEtcd } from './etcd-fixture.js';
import type { EtcdFixture } from './etcd-fixture.js';
import { readVolumeSecret, volumeSecret, VolumeSecrets } from '../src/index.js';

let fx: EtcdFixture;
let client: Etcd3;
const TOKEN = 'admin-token';
const vol = (name: string, createdSeq: number): VolumeState => ({ name, createdSeq }) as VolumeState;

const t = suite('manager: volume secrets and node tokens');
t.before(async () => {
  fx = await startEtcd('volume-secrets');
  ({ client } = fx);
});
t.after(async () => {
  await fx?.stop();
});

t("two managers racing to make a volume's secret agree on one random secret", async () => {
  const keys = new Keys('/race/');
  const [a, b] = await Promise.all([
    VolumeSecrets.open(client, keys, TOKEN, 0),
    VolumeSecrets.open(client, keys, TOKEN, 0),
  ]);
  const v = vol('v', 5);
  assert.is(a.get(v), undefined, 'none yet');
  await Promise.all([a.ensure(v), b.ensure(v)]);
  assert.is(a.get(v), b.get(v));
  assert.match(a.get(v)!, /^[0-9a-f]{64}$/);
  assert.is(await readVolumeSecret(client, keys, 'v'), a.get(v));
  assert.is.not(a.get(v), volumeSecret(TOKEN, 'v'));
  // A third manager started later reads it at open.
  const c = await VolumeSecrets.open(client, keys, TOKEN, 99);
  assert.is(c.since, 0, 'the first manager\'s "since" stays');
  assert.is(c.get(v), a.get(v));
});

t('a volume deleted and created again under its name gets a new secret; the old removal spares it', async () => {
  const keys = new Keys('/again/');
  const a = await VolumeSecrets.open(client, keys, TOKEN, 0);
  await a.ensure(vol('v', 3));
  const first = a.get(vol('v', 3))!;
  // Created again at seq 9 before this manager removed the old one (deleted at seq 7).
  const b = await VolumeSecrets.open(client, keys, TOKEN, 0);
  await b.ensure(vol('v', 9));
  const second = b.get(vol('v', 9))!;
  assert.is.not(second, first, 'the stale secret is replaced');
  await a.remove('v', 7);
  assert.is(await readVolumeSecret(client, keys, 'v'), second, "the later volume's secret stays");
  await b.remove('v', 12);
  assert.is(await readVolumeSecret(client, keys, 'v'), null);
});

t('volumes created before secrets were kept keep the derived secret their replicas hold', async () => {
  const keys = new Keys('/legacy/');
  const s = await VolumeSecrets.open(client, keys, TOKEN, 40);
  assert.ok(s.legacy(vol('old', 40)));
  assert.is(s.get(vol('old', 40)), volumeSecret(TOKEN, 'old'));
  assert.is(s.get(vol('new', 41)), undefined);
  await s.ensure(vol('new', 41));
  assert.is.not(s.get(vol('new', 41)), volumeSecret(TOKEN, 'new'));
});

t(
  'node tokens: made from the node key, proving one node; tampered, foreign or admin tokens are not node tokens',
  () => {
    const key = 'k'.repeat(64);
    const tok = nodeToken(key, 'node.with.dots');
    assert.is(nodeOfToken(tok, key), 'node.with.dots');
    assert.is(nodeOfToken(nodeToken('other', 'node-1'), key), null);
    assert.is(nodeOfToken(tok.replace('node.with.dots', 'node.with.dotz'), key), null, 'the id is covered by the MAC');
    assert.is(nodeOfToken(`${tok.slice(0, -1)}${tok.endsWith('A') ? 'B' : 'A'}`, key), null);
    const md = (v: string): Metadata => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${v}`);
      return m;
    };
    assert.equal(callerOf(md(tok), { adminToken: 'adm', nodeKey: key }), { kind: 'node', nodeId: 'node.with.dots' });
    assert.equal(callerOf(md('adm'), { adminToken: 'adm', nodeKey: key }), { kind: 'admin' });
    assert.is(callerOf(md(tok), { adminToken: 'adm' }), null, 'no node key: no node tokens');
    assert.is(callerOf(new Metadata(), { adminToken: 'adm', nodeKey: key }), null);
  },
);

t.run();

// node-drain-policy: which nodes get a drain budget (PodDisruptionBudget on their agent pod) for
// each of Longhorn's five values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultSettings, parseSetting } from '@cairn/metadata';
import { drainBlockedNodes } from '../src/index.js';
import { World } from './support.js';

const none = new Set<string>();

/** v1: healthy on a and b; v2: healthy on c only (its other replica on b failed); d holds nothing. */
const world = () =>
  new World()
    .node('a')
    .node('b')
    .node('c')
    .node('d')
    .volume('v1')
    .replica('v1', 'r1', 'a')
    .replica('v1', 'r2', 'b')
    .volume('v2')
    .replica('v2', 'r3', 'c')
    .replica('v2', 'r4', 'b')
    .fail('r4');

test("block-if-contains-last-replica (default): the node with a volume's only healthy replica", () => {
  const w = world();
  assert.is(w.state.settings['node-drain-policy'], 'block-if-contains-last-replica');
  assert.equal(drainBlockedNodes(w.state, 'block-if-contains-last-replica', none), ['c']);
});

test('a cordoned node is no counterpart: the one that stays holds the last replica, the cordoned one may go', () => {
  const w = world().cordon('a');
  assert.equal(drainBlockedNodes(w.state, 'block-if-contains-last-replica', none), ['b', 'c']);
});

test('every holder cordoned: one keeps the budget (the one that has it, else the first), so the others can go', () => {
  const w = world().cordon('a').cordon('b');
  assert.equal(drainBlockedNodes(w.state, 'block-if-contains-last-replica', none), ['a', 'c']);
  assert.equal(drainBlockedNodes(w.state, 'block-if-contains-last-replica', new Set(['b'])), ['b', 'c']);
});

test('replicas on a down node, and failed or scheduled ones, are not healthy', () => {
  const w = world().down('a');
  assert.equal(
    drainBlockedNodes(w.state, 'block-if-contains-last-replica', none),
    ['b', 'c'],
    "b holds v1's last healthy replica now",
  );
  const w2 = new World().node('a').volume('v').replica('v', 'r', 'a', false);
  assert.equal(
    drainBlockedNodes(w2.state, 'block-if-contains-last-replica', none),
    [],
    'a replica that never ran holds no data',
  );
});

test('block-for-eviction-if-contains-last-replica: the same budgets (cairn evicts on `cairn node update --evict`)', () => {
  assert.equal(drainBlockedNodes(world().cordon('a').state, 'block-for-eviction-if-contains-last-replica', none), [
    'b',
    'c',
  ]);
});

test('block-for-eviction: every node holding any replica, failed ones too', () => {
  assert.equal(drainBlockedNodes(world().state, 'block-for-eviction', none), ['a', 'b', 'c']);
});

test("allow-if-replica-is-stopped: a detached volume's replicas are stopped and block nothing", () => {
  const w = world();
  assert.equal(drainBlockedNodes(w.state, 'allow-if-replica-is-stopped', none), []);
  w.attach('v2', 'c');
  assert.equal(drainBlockedNodes(w.state, 'allow-if-replica-is-stopped', none), ['c']);
});

test('always-allow: no budget at all', () => {
  assert.equal(drainBlockedNodes(world().state, 'always-allow', none), []);
});

test("node-drain-policy is a setting with Longhorn's five values and default; anything else is refused naming them", () => {
  assert.is(defaultSettings()['node-drain-policy'], 'block-if-contains-last-replica');
  for (const v of [
    'block-for-eviction',
    'block-for-eviction-if-contains-last-replica',
    'block-if-contains-last-replica',
    'allow-if-replica-is-stopped',
    'always-allow',
  ]) {
    assert.is(parseSetting('node-drain-policy', v), v);
  }
  assert.throws(
    () => parseSetting('node-drain-policy', 'block'),
    /node-drain-policy.*one of block-for-eviction, .*always-allow/,
  );
});

test.run();

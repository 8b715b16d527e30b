// What a Kubernetes Node says about its cairn node: zone, tags (tag.node.cairn.io/<TAG> labels) and
// cordon (spec.unschedulable), and the node update the leading manager appends only when it differs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  isCordoned,
  LEGACY_ZONE_LABEL,
  nodeSync,
  nodeSyncs,
  tagsOfNode,
  ZONE_LABEL,
  zoneOfNode,
} from '../src/index.js';

const kube = (labels: Record<string, string> = {}, unschedulable?: boolean) => ({
  metadata: { name: 'w1', labels },
  spec: { unschedulable },
});

test('zone: topology.kubernetes.io/zone, else the legacy beta label, else null; blank counts as missing', () => {
  assert.is(zoneOfNode(kube({ [ZONE_LABEL]: 'eu-1a', [LEGACY_ZONE_LABEL]: 'old' })), 'eu-1a');
  assert.is(zoneOfNode(kube({ [LEGACY_ZONE_LABEL]: 'old' })), 'old');
  assert.is(zoneOfNode(kube({ [ZONE_LABEL]: ' ', [LEGACY_ZONE_LABEL]: 'old' })), 'old');
  assert.is(zoneOfNode(kube({})), null);
  assert.is(zoneOfNode({}), null);
});

test('tags: each tag.node.cairn.io/<TAG>="true" label is a tag, sorted; other values give none; no tag label at all is null', () => {
  assert.equal(
    tagsOfNode(
      kube({ 'tag.node.cairn.io/ssd': 'true', 'tag.node.cairn.io/fast': 'True', 'kubernetes.io/os': 'linux' }),
    ),
    ['fast', 'ssd'],
  );
  assert.equal(
    tagsOfNode(kube({ 'tag.node.cairn.io/ssd': 'false', 'tag.node.cairn.io/hdd': '' })),
    [],
    'labels present: they own the tags, which are none',
  );
  assert.is(
    tagsOfNode(kube({ 'kubernetes.io/os': 'linux', 'node.cairn.io/id': 'w1' })),
    null,
    'no tag label: the CLI owns the tags',
  );
  assert.is(tagsOfNode({}), null);
});

test('cordon: spec.unschedulable true is cordoned; absent or false is not', () => {
  assert.is(isCordoned(kube({}, true)), true);
  assert.is(isCordoned(kube({}, false)), false);
  assert.is(isCordoned(kube({})), false);
  assert.is(isCordoned({}), false);
});

test('nodeSync: only what differs; null when cairn already says what Kubernetes says', () => {
  const n = { id: 'w1', cordoned: false, tags: ['b', 'a'] };
  assert.equal(nodeSync(n, kube({}, true)), { nodeId: 'w1', cordoned: true }, 'kubectl cordon');
  assert.equal(
    nodeSync({ ...n, cordoned: true }, kube({}, false)),
    { nodeId: 'w1', cordoned: false },
    'kubectl uncordon',
  );
  assert.is(nodeSync(n, kube({})), null, 'not cordoned, no tag labels: nothing to do (the CLI tags stay)');
  assert.is(
    nodeSync(n, kube({ 'tag.node.cairn.io/a': 'true', 'tag.node.cairn.io/b': 'true' })),
    null,
    'same tags in another order',
  );
  assert.equal(nodeSync(n, kube({ 'tag.node.cairn.io/ssd': 'true' }, true)), {
    nodeId: 'w1',
    cordoned: true,
    tags: ['ssd'],
  });
  assert.equal(
    nodeSync(n, kube({ 'tag.node.cairn.io/a': 'false' })),
    { nodeId: 'w1', tags: [] },
    'labels own the tags: all set to false clears them',
  );
});

test('nodeSyncs: the cairn node id is the Node name; nodes without a Node are left alone; in id order', () => {
  const nodes = [
    { id: 'w2', cordoned: false, tags: [] },
    { id: 'w1', cordoned: false, tags: [] },
    { id: 'lonely', cordoned: true, tags: [] },
  ];
  const k = new Map([
    ['w1', kube({}, true)],
    ['w2', kube({}, true)],
    ['w3', kube({}, true)],
  ]);
  assert.equal(nodeSyncs(nodes, k), [
    { nodeId: 'w1', cordoned: true },
    { nodeId: 'w2', cordoned: true },
  ]);
});

test.run();

// What a node is told to run (assignmentsFor), pure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { draft, emptyState } from '@cairn/metadata';
import * as cmd from '../src/commands.js';
import { assignmentsFor } from '../src/assignment-feed.js';
import { apply, createRequest } from './support.js';

const t = suite('node-service');

t(
  'a volume being detached from a node is no engine there but is named in detaching (a restarted agent reports it detached)',
  () => {
    const s = apply(emptyState(), [
      draft.nodeRegistered('node-1', { zone: 'a' }),
      draft.diskAdded('node-1', 'disk-1', { maximum: 100 * 2 ** 30 }),
    ]);
    apply(s, cmd.createVolume(s, createRequest({ name: 'vol', size: 2 ** 30, numberOfReplicas: 1 })));
    apply(s, cmd.attachVolume(s, 'vol', 'node-1'));
    apply(s, [{ volumeAttached: { name: 'vol', nodeId: 'node-1', endpoint: 'nbd://127.0.0.1:1/vol' } }]);
    let a = assignmentsFor(s, 'node-1', () => 'secret');
    assert.equal(
      (a.engines ?? []).map((e) => e.volume),
      ['vol'],
    );
    assert.equal(a.detaching, []);
    apply(s, cmd.detachVolume(s, 'vol'));
    assert.is(s.volumes.get('vol')!.attachState, 'detaching');
    a = assignmentsFor(s, 'node-1', () => 'secret');
    assert.equal(a.engines, []);
    assert.equal(a.detaching, ['vol']);
    assert.equal(assignmentsFor(s, 'node-2', () => 'secret').detaching, [], 'only the node it is detaching from');
  },
);

t.run();

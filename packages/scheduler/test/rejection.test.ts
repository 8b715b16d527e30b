// rejection.ts: a rejected candidate is data in the core and is worded once, at the edge (pure).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Reason } from '../src/index.js';
import { renameHolders, wordRejection } from '../src/rejection.js';
import type { Rejection } from '../src/rejection.js';

const GiB = 2 ** 30;

test('a rejection is worded as the events carry it: reasons in filter order, details joined, silent reasons add none', () => {
  const r: Rejection = {
    nodeId: 'n1',
    diskId: '',
    findings: [
      { reason: Reason.NodeDown, downReason: 'lease expired' },
      { reason: Reason.NodeSchedulingDisabled },
      { reason: Reason.AntiAffinityZone, zone: '', holders: ['v-r1-0', 'v-r1-1'] },
    ],
  };
  assert.equal(wordRejection(r), {
    nodeId: 'n1',
    diskId: '',
    reasons: [Reason.NodeDown, Reason.NodeSchedulingDisabled, Reason.AntiAffinityZone],
    detail: 'down: lease expired; zone "" holds v-r1-0, v-r1-1',
  });
  const space: Rejection = {
    nodeId: 'n1',
    diskId: 'd1',
    findings: [
      { reason: Reason.InsufficientSpace, available: 10 * GiB, size: 8 * GiB, minimalPct: 25, maximum: 20 * GiB },
    ],
  };
  assert.is(wordRejection(space).detail, 'available 10 GiB - 8 GiB not above 25% of 20 GiB');
});

test('renaming holders changes only the replicas named, and only where they hold something', () => {
  const r: Rejection = {
    nodeId: 'n2',
    diskId: 'd1',
    findings: [
      { reason: Reason.AntiAffinityDisk, holders: ['v-r9-0', 'v-r1-0'] },
      { reason: Reason.NodeTagsMismatch, tags: ['v-r9-0'], lacking: ['ssd'] },
    ],
  };
  const renamed = wordRejection(renameHolders(r, new Map([['v-r9-0', '(tentative 1)']])));
  assert.is(renamed.detail, 'holds (tentative 1), v-r1-0; node tags [v-r9-0] lack [ssd]');
  assert.equal(
    wordRejection(r).detail,
    'holds v-r9-0, v-r1-0; node tags [v-r9-0] lack [ssd]',
    'the original is unchanged',
  );
});

test.run();

// Shared by the manager's pure tests: events applied to a state the way the projection does
// (each draft encoded and decoded by the event codec first).
import { applyEvent, decodeEvent, encodeEvent, SCHEMA_VERSION } from '@cairn/metadata';
import type { ClusterState, EventDraft } from '@cairn/metadata';
import * as assert from 'uvu/assert';
import type { CreateVolume } from '../src/commands.js';
import { CommandError } from '../src/errors.js';

/**
 * A CreateVolume command as the admin API hands it over with only `o` given: every other field at
 * its proto default (empty, 0), which the command reads as "the setting's default".
 */
export const createRequest = (
  o: Pick<CreateVolume, 'name' | 'size' | 'numberOfReplicas'> & Partial<CreateVolume>,
): CreateVolume => ({
  dataLocality: '',
  diskSelector: [],
  nodeSelector: [],
  replicaAutoBalance: '',
  staleReplicaTimeout: 0,
  fsType: '',
  mkfsParams: '',
  accessMode: '',
  ...o,
});

export function apply(s: ClusterState, drafts: EventDraft[]): ClusterState {
  for (const d of drafts) {
    const seq = s.seq + 1;
    applyEvent(
      s,
      decodeEvent(encodeEvent({ ...d, seq, timeMs: 1, actor: 't', cause: '', schemaVersion: SCHEMA_VERSION }), seq),
    );
  }
  return s;
}

/**
 * Polls `cond` every 20 ms until it holds. Fails after `ms` (generous: suites share a busy
 * machine) with a message naming what was awaited.
 */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `fn` is refused with a CommandError of `code` whose message matches `msg`. */
export function refused(fn: () => unknown, code: CommandError['code'], msg: RegExp): void {
  try {
    fn();
    assert.unreachable('must be refused');
  } catch (e) {
    assert.instance(e, CommandError);
    assert.is((e as CommandError).code, code, (e as Error).message);
    assert.match((e as Error).message, msg);
  }
}

// What the manager's log says of an event it appended: its type and the fields a reader filters on
// (`seq`, `volume`, `replica`, `node`, `actor`). Pure: the event in, plain data out; the replica's
// volume is looked up by the caller (replica events other than ReplicaScheduled name only the id).
import type { CairnEvent } from '@cairn/metadata';

export interface EventLogFields {
  seq: number;
  /** The payload's message name: ReplicaScheduled. */
  event: string;
  actor: string;
  volume?: string;
  replica?: string;
  node?: string;
}

export function eventLogFields(ev: CairnEvent, volumeOfReplica: (id: string) => string | undefined): EventLogFields {
  const type = ev.payload ?? 'unknown';
  const p = ((ev.payload ? ev[ev.payload] : null) ?? {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const replica = str(p['replicaId']);
  // Volume events name their volume `name`; others that concern one call it `volume`.
  const volume =
    str(p['volume']) ??
    (type.startsWith('volume') ? str(p['name']) : undefined) ??
    (replica ? volumeOfReplica(replica) : undefined);
  const node = str(p['nodeId']);
  return {
    seq: ev.seq,
    event: type.charAt(0).toUpperCase() + type.slice(1),
    actor: ev.actor,
    ...(volume ? { volume } : {}),
    ...(replica ? { replica } : {}),
    ...(node ? { node } : {}),
  };
}

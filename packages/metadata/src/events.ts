// The event codec: EventEnvelope <-> protobuf bytes, loaded at run time with protobufjs and
// decoded with @cairn/schema's CONVERSION_OPTIONS, the options its generated types were made
// with, so those types describe exactly what decode returns.
import protobuf from 'protobufjs';
import { CONVERSION_OPTIONS, PROTO_DIR } from '@cairn/schema';
import type { EventEnvelope, EventEnvelope__Output } from '@cairn/schema/events';
import { CorruptError, UnknownEventTypeError } from './errors.js';

export type { EventEnvelope, EventEnvelope__Output } from '@cairn/schema/events';

/** What decode returns: every scalar present, `payload` names the one event field that is set. */
export type CairnEvent = EventEnvelope__Output;
export type PayloadName = NonNullable<EventEnvelope__Output['payload']>;
/** The payload message of one event type, as decoded. */
export type PayloadOf<K extends PayloadName> = NonNullable<EventEnvelope__Output[K]>;
/** An event as an appender writes it: the log fills seq, time, schema version and chain hash. */
export type EventDraft = Omit<EventEnvelope, 'seq' | 'timeMs' | 'schemaVersion' | 'payload' | 'chainHash'>;

/** Schema versions this build can read. Bump with a migration in projection.ts, never in place. */
export const SCHEMA_VERSION = 1;

export { PROTO_DIR } from '@cairn/schema';

const root = protobuf.loadSync(PROTO_DIR + 'cairn/events/v1/events.proto');
const Envelope = root.lookupType('cairn.events.v1.EventEnvelope');
const payloadNames = new Set<string>(Envelope.oneofs['payload']!.oneof);

export function encodeEvent(ev: EventEnvelope): Buffer {
  const msg = Envelope.fromObject(ev as Record<string, unknown>);
  return Buffer.from(Envelope.encode(msg).finish());
}

/**
 * Decodes one stored event. `seq` is the seq of the key it was read from, so that an error names
 * it even when the bytes are garbage. An unknown payload or schema version is refused by name:
 * nothing is skipped silently.
 */
export function decodeEvent(bytes: Uint8Array, seq: number): CairnEvent {
  let ev: CairnEvent;
  try {
    ev = Envelope.toObject(Envelope.decode(bytes), CONVERSION_OPTIONS) as CairnEvent;
  } catch (e) {
    throw new CorruptError(seq, (e as Error).message);
  }
  if (ev.seq !== seq) throw new CorruptError(seq, `envelope says seq ${ev.seq}`);
  if (ev.schemaVersion !== SCHEMA_VERSION) throw new UnknownEventTypeError(seq, `schema version ${ev.schemaVersion}`);
  if (!ev.payload || !payloadNames.has(ev.payload)) {
    // A payload field this build does not know decodes as an unknown field: no oneof is set.
    throw new UnknownEventTypeError(seq, ev.payload ?? 'no known payload (a newer event type?)');
  }
  stored.set(ev, bytes);
  return ev;
}

/** The bytes each decoded event was decoded from, while the event lives. */
const stored = new WeakMap<CairnEvent, Uint8Array>();

/**
 * The stored bytes `ev` was decoded from (undefined for an event not made by decodeEvent). They
 * are the event's protobuf encoding as the log holds it: the admin API's WatchEvents sends them
 * as they are instead of encoding each event again for every stream.
 */
export function storedBytes(ev: CairnEvent): Uint8Array | undefined {
  return stored.get(ev);
}

/** The payload of an event, typed by its name. */
export function payloadOf<K extends PayloadName>(ev: CairnEvent, name: K): PayloadOf<K> {
  const p = ev[name];
  if (p == null) throw new CorruptError(ev.seq, `payload ${name} is empty`);
  return p as PayloadOf<K>;
}

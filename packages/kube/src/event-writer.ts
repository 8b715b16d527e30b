// Writes the Events pvcEvents decides, as Kubernetes' own event recorder would: the first time an
// event (same claim, type, reason and message) is said it is created; said again by this writer it
// is the same Event with its count raised and lastTimestamp moved (a merge patch), not a new one.
// A create that finds the name taken (409: a previous leader said it, the name being stable) counts
// as said. A claim that no longer exists (404) gets no event.
import type { PvcEvent } from './decisions/pvc-events.js';
import type { KubeClient } from './client.js';
import { statusOf } from './client.js';
import { eventName, eventObject, eventRepeatPatch } from './objects.js';

export type EventOutcome = 'created' | 'repeated' | 'exists' | 'no-claim';

export class PvcEventWriter {
  /** Events said by this writer, by claim/type/reason/message: their name and count. */
  private readonly said = new Map<string, { namespace: string; name: string; count: number }>();
  private readonly uids = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    private readonly o: { instance: string; clock?: () => Date },
  ) {}

  async write(ev: PvcEvent): Promise<EventOutcome> {
    const now = (this.o.clock ?? (() => new Date()))();
    const { pvcNamespace: namespace, pvcName } = ev.pvc;
    const key = JSON.stringify([namespace, pvcName, ev.type, ev.reason, ev.message]);
    const seen = this.said.get(key);
    if (seen) {
      try {
        await this.client.patchEvent(seen.namespace, seen.name, eventRepeatPatch(seen.count + 1, now));
        seen.count++;
        return 'repeated';
      } catch (e) {
        if (statusOf(e) !== 404) throw e;
        this.said.delete(key); // expired (the API server keeps Events an hour by default): say it anew
      }
    }
    const claim = `${namespace}/${pvcName}`;
    let uid = this.uids.get(claim);
    if (uid === undefined) {
      try {
        uid = await this.client.pvcUid(namespace, pvcName);
      } catch (e) {
        if (statusOf(e) === 404) return 'no-claim';
        throw e;
      }
      this.uids.set(claim, uid);
    }
    const name = eventName(pvcName, ev.suffix);
    try {
      await this.client.createEvent(eventObject(ev, { uid, now, instance: this.o.instance }));
      this.said.set(key, { namespace, name, count: 1 });
      return 'created';
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
      this.said.set(key, { namespace, name, count: 1 });
      return 'exists';
    }
  }
}

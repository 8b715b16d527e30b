// At most one operation per volume id (and per snapshot name) at a time in this controller: a
// second call while one runs gets ABORTED, as the spec asks ("an operation for this volume is
// already in flight"), and the CO retries with backoff. The CO normally never sends two; this
// guards against a restarted sidecar that lost track.
import { aborted } from './errors.js';

export class InFlight {
  private readonly running = new Map<string, string>();

  /** Runs `fn` holding every key; throws ABORTED (naming the key and what holds it) if one is held. */
  async run<T>(keys: string[], what: string, fn: () => Promise<T>): Promise<T> {
    for (const k of keys) {
      const holder = this.running.get(k);
      if (holder !== undefined)
        throw aborted(
          `${holder} is already in flight for ${k}, so this ${what} was not started; try again when it is done`,
        );
    }
    for (const k of keys) this.running.set(k, what);
    try {
      return await fn();
    } finally {
      for (const k of keys) this.running.delete(k);
    }
  }

  /** Keys held now (for tests and debugging). */
  held(): string[] {
    return [...this.running.keys()].sort();
  }
}

export const volumeKey = (id: string): string => `volume "${id}"`;
export const snapshotKey = (name: string): string => `snapshot "${name}"`;

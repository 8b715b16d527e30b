// I/O counters of a block export, kept by the NBD frontend (nbd/connection.ts) for the node agent's
// /metrics (Longhorn's per-volume IOPS, throughput and latency are measured where the engine runs,
// and so are cairn's). The hot path pays a clock read per request and a few number adds on its
// completion: no allocation, no map lookup (a connection looks its export's counters up once, at
// the end of the handshake). Rates are the reader's business: these only ever grow.

/** Cumulative figures of one export's completed READs and WRITEs (failed requests are not counted). */
export class IoStats {
  reads = 0;
  readBytes = 0;
  /** Sum of the READs' service times, from the request being parsed to the backend's answer, in ms. */
  readMs = 0;
  writes = 0;
  writeBytes = 0;
  writeMs = 0;

  /** Counts one completed READ of `bytes` that took `ms`. */
  read(bytes: number, ms: number): void {
    this.reads++;
    this.readBytes += bytes;
    this.readMs += ms;
  }

  /** Counts one completed WRITE of `bytes` that took `ms`. */
  write(bytes: number, ms: number): void {
    this.writes++;
    this.writeBytes += bytes;
    this.writeMs += ms;
  }
}

/** The counters of every export by name, made on first use; an export that goes is forgotten. */
export class IoStatsTable {
  private readonly byName = new Map<string, IoStats>();

  /** The counters of `name` (made now if it has none). */
  of(name: string): IoStats {
    let s = this.byName.get(name);
    if (!s) this.byName.set(name, (s = new IoStats()));
    return s;
  }

  /** Forgets `name`'s counters (its export is gone: a counter that restarts is a reset to Prometheus). */
  drop(name: string): void {
    this.byName.delete(name);
  }

  entries(): IterableIterator<[string, IoStats]> {
    return this.byName.entries();
  }
}

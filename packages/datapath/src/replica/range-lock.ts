// Block-range locks taken in arrival order: an operation waits for every earlier one whose range
// overlaps its own, then runs. Overlapping mutations therefore apply in the order they arrived
// (the same order on every replica the engine sends them to), and a read-modify-write of a
// partial block cannot lose a neighbouring write. Non-overlapping operations run concurrently.

interface Entry {
  start: number;
  end: number;
  done: Promise<void>;
}

export type Unlock = () => void;

export class RangeLock {
  private readonly entries = new Set<Entry>();

  /** Locks [start, end) (blocks); resolves when every earlier overlapping holder has unlocked. */
  async acquire(start: number, end: number): Promise<Unlock> {
    let waits: Promise<void>[] | undefined;
    for (const e of this.entries) {
      if (e.start < end && start < e.end) (waits ??= []).push(e.done);
    }
    let release!: () => void;
    const entry: Entry = {
      start,
      end,
      done: new Promise<void>((r) => {
        release = r;
      }),
    };
    this.entries.add(entry);
    const unlock = () => {
      this.entries.delete(entry);
      release();
    };
    if (waits) await Promise.all(waits);
    return unlock;
  }

  /** Locks everything (snapshot switch, resize, close). */
  acquireAll(): Promise<Unlock> {
    return this.acquire(0, Infinity);
  }
}

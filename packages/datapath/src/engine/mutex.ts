// A first-come first-served async mutex: the engine's chain lock. Snapshot creation and deletion
// and each step of a rebuild that reads or shapes the chain of layers run under it, one at a time,
// so a rebuild never sees a chain half changed; each holder keeps it only briefly (one window of a
// layer sync), so a snapshot asked for during a rebuild waits at most that long.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => {
      release = r;
    });
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

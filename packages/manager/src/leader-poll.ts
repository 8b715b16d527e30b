// The loop the leader's pollers share (node liveness, auto-salvage): run a poll, wait, run it
// again, until stopped. A FencedError (this manager is no longer the leader, so its appends are
// refused) stops the loop and is said once through onFenced; any other error is reported and the
// loop goes on. The next poll is timed from the end of the last one, so a slow poll never overlaps
// the next.
import { FencedError } from '@cairn/metadata';

export interface LeaderPollOptions {
  pollMs: number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
}

export class LeaderPoll {
  private timer: NodeJS.Timeout | null = null;
  private stoppedFlag = false;

  constructor(
    private readonly poll: () => Promise<unknown>,
    private readonly o: LeaderPollOptions,
  ) {}

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  start(): void {
    const tick = async (): Promise<void> => {
      try {
        await this.poll();
      } catch (e) {
        if (e instanceof FencedError) {
          this.stop();
          this.o.onFenced?.();
          return;
        }
        this.o.onError?.(e);
      }
      if (!this.stoppedFlag) this.timer = setTimeout(() => void tick(), this.o.pollMs);
    };
    void tick();
  }

  stop(): void {
    this.stoppedFlag = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

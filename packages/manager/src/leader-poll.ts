// The loop the leader's pollers share (LeaderPoller below; kube-sync and the backup service use it
// directly): run a poll, wait, run it
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

/** What every leader poller takes: how often it looks (its own default when absent) and where its errors go. */
export interface LeaderPollerOptions {
  pollMs?: number;
  onError?: (e: unknown) => void;
  onFenced?: () => void;
}

/**
 * A leader's poller (the salvager, the standby poller, the recurring jobs, node liveness): `poll` is
 * one look at the state, whose appends go under the leader's fence; start and stop run it in a
 * LeaderPoll. `stopped` lets a long poll end early once stop was called.
 */
export abstract class LeaderPoller {
  private readonly loop: LeaderPoll;

  protected constructor(o: LeaderPollerOptions, defaultPollMs: number) {
    this.loop = new LeaderPoll(() => this.poll(), {
      pollMs: o.pollMs ?? defaultPollMs,
      onError: o.onError,
      onFenced: o.onFenced,
    });
  }

  protected get stopped(): boolean {
    return this.loop.stopped;
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One look; rejects with FencedError when this manager no longer leads (the loop then stops). */
  protected abstract poll(): Promise<unknown>;
}

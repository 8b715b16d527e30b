// cairn events [--from SEQ] [--follow]: the log, one line per event.
import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { isGrpcError } from '@cairn/api';
import { flagInt } from '../args.js';
import type { Command } from '../command.js';
import { eventLine } from '../event-text.js';
import { exportLine } from '../replay.js';

export const events: Command = {
  spec: {
    path: 'events',
    args: [],
    summary: 'Print the event log from a seq, one line per event: seq, time, actor, type, summary.',
    notes:
      'With --follow the stream stays open and resumes from the last seq it printed when the manager\n' +
      'is briefly unreachable. With -o json each line is one event as JSON (the format of audit export).',
    flags: {
      from: { type: 'string', value: 'SEQ', help: 'first seq to print (default 1)' },
      follow: { type: 'boolean', short: 'f', help: 'keep printing new events as they are appended' },
    },
  },
  async run(ctx, p) {
    let next = flagInt(p, 'from', { min: 1, command: 'events' }) ?? 1;
    const follow = p.flags['follow'] === true;
    const signal = ctx.io.signal;
    let backoff = 250;
    for (;;) {
      try {
        for await (const ev of ctx.api().watchEvents({ fromSeq: next, follow }, signal)) {
          ctx.print(ctx.format === 'json' ? exportLine(ev) : eventLine(ev));
          next = ev.seq + 1;
          backoff = 250;
        }
        return 0;
      } catch (e) {
        if (!follow || signal?.aborted || !isGrpcError(e) || e.code !== status.UNAVAILABLE) throw e;
        if (backoff === 250)
          ctx.io.stderr.write(`cairn: lost the event stream after seq ${next - 1} (${e.details}); reconnecting\n`);
        try {
          await sleep(backoff, undefined, signal ? { signal } : {});
        } catch {
          return 0; // aborted while waiting
        }
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  },
};

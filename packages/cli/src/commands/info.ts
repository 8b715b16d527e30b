// cairn info: which manager answers, which one leads, and where the log is.
import type { Command } from '../command.js';
import { dash, json, keyValues } from '../output.js';

export const info: Command = {
  spec: {
    path: 'info',
    args: [],
    flags: {},
    summary: "Show the manager that answers, the leader, and the log's seq and state hash.",
  },
  async run(ctx) {
    const i = await ctx.api().getClusterInfo();
    ctx.print(
      ctx.format === 'json'
        ? json(i)
        : keyValues([
            ['manager', dash(i.managerId)],
            ['leader', dash(i.leaderId)],
            ['seq', String(i.seq)],
            ['state hash', dash(i.stateHash)],
          ]),
    );
    return 0;
  },
};

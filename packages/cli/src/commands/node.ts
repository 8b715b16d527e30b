// cairn node ls|get|update (the admin side; `cairn node --manager ...` runs a node agent)
import type { Node__Output, UpdateNodeRequest } from '@cairn/api';
import { flagBool, flagList } from '../args.js';
import type { Parsed } from '../args.js';
import type { Command, Group } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { dash, json, keyValues, list, ordered, table, yesNo } from '../output.js';
import { diskJson, disksTable } from './disk.js';

// ---- requests (pure) ---------------------------------------------------------------------------

export function updateNodeRequest(p: Parsed): UpdateNodeRequest {
  const cmd = 'node update';
  const req: UpdateNodeRequest = { nodeId: p.args['ID']! };
  const sched = flagBool(p, 'allow-scheduling', cmd);
  if (sched !== undefined) req.allowScheduling = sched;
  const evict = flagBool(p, 'evict', cmd);
  if (evict !== undefined) req.evictionRequested = evict;
  const cordon = flagBool(p, 'cordon', cmd);
  if (cordon !== undefined) req.cordoned = cordon;
  const tags = flagList(p, 'tags');
  if (tags) req.tags = { values: tags };
  if (Object.keys(req).length === 1)
    throw new UsageError('nothing to update: give at least one of --allow-scheduling, --evict, --cordon, --tags', cmd);
  return req;
}

// ---- output (pure) -----------------------------------------------------------------------------

const NODE_KEYS = [
  'id',
  'address',
  'zone',
  'state',
  'downReason',
  'tags',
  'allowScheduling',
  'evictionRequested',
  'cordoned',
  'disks',
] as const;
export const nodeJson = (n: Node__Output): Node__Output => ({ ...ordered(n, NODE_KEYS), disks: n.disks.map(diskJson) });

const nodeState = (n: Node__Output) => (n.state === 'down' && n.downReason ? `down (${n.downReason})` : n.state);

export function nodesTable(ns: Node__Output[]): string {
  if (ns.length === 0) return 'no nodes\n';
  return table(
    ['ID', 'ZONE', 'STATE', 'SCHEDULABLE', 'EVICTING', 'CORDONED', 'TAGS', 'DISKS', 'ADDRESS'],
    ns.map((n) => [
      n.id,
      dash(n.zone),
      nodeState(n),
      yesNo(n.allowScheduling),
      yesNo(n.evictionRequested),
      yesNo(n.cordoned),
      list(n.tags),
      String(n.disks.length),
      dash(n.address),
    ]),
  );
}

export function nodeDetail(n: Node__Output): string {
  let out = keyValues([
    ['id', n.id],
    ['address', dash(n.address)],
    ['zone', dash(n.zone)],
    ['state', nodeState(n)],
    ['allow scheduling', yesNo(n.allowScheduling)],
    ['eviction requested', yesNo(n.evictionRequested)],
    ['cordoned', yesNo(n.cordoned)],
    ['tags', list(n.tags)],
  ]);
  out += '\n' + disksTable(n.disks);
  return out;
}

function nodeLine(n: Node__Output): string {
  return (
    `node "${n.id}" updated: scheduling ${n.allowScheduling ? 'allowed' : 'disabled'}, eviction ${n.evictionRequested ? 'requested' : 'not requested'}, ` +
    `${n.cordoned ? 'cordoned, ' : ''}tags ${list(n.tags)}\n`
  );
}

// ---- commands ----------------------------------------------------------------------------------

const ls: Command = {
  spec: { path: 'node ls', args: [], flags: {}, summary: 'List nodes.' },
  aliases: ['list'],
  async run(ctx) {
    const { nodes } = await ctx.api().listNodes();
    ctx.print(ctx.format === 'json' ? json(nodes.map(nodeJson)) : nodesTable(nodes));
    return 0;
  },
};

const get: Command = {
  spec: { path: 'node get', args: ['ID'], flags: {}, summary: 'Show a node and its disks.' },
  async run(ctx, p) {
    const id = p.args['ID']!;
    const { nodes } = await ctx.api().listNodes();
    const n = nodes.find((x) => x.id === id);
    if (!n) throw new CliError(`not found: node "${id}" does not exist`);
    ctx.print(ctx.format === 'json' ? json(nodeJson(n)) : nodeDetail(n));
    return 0;
  },
};

const update: Command = {
  spec: {
    path: 'node update',
    args: ['ID'],
    summary: 'Change whether a node takes replicas, evict its replicas, or set its tags.',
    flags: {
      'allow-scheduling': {
        type: 'string',
        value: 'true|false',
        help: 'whether new replicas may be placed on the node',
      },
      evict: { type: 'string', value: 'true|false', help: 'move every replica off the node, one at a time' },
      cordon: {
        type: 'string',
        value: 'true|false',
        help: 'mark the node cordoned (matters when disable-scheduling-on-cordoned-node is on)',
      },
      tags: { type: 'string', value: 'TAG,TAG', help: 'the node\'s tags, replacing the old ones ("" clears)' },
    },
  },
  async run(ctx, p) {
    const req = updateNodeRequest(p);
    const n = await ctx.api().updateNode(req);
    ctx.print(ctx.format === 'json' ? json(nodeJson(n)) : nodeLine(n));
    return 0;
  },
};

/** The admin subcommands of `cairn node`; any other `cairn node ...` runs the node agent. */
export const node: Group = {
  name: 'node',
  summary: 'list, show and change nodes',
  commands: [ls, get, update],
};

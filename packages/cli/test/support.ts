// Fakes for in-process command tests: an AdminApi that records calls and answers from a table.
import type { Disk__Output, Node__Output, Volume__Output } from '@cairn/api';
import type { AdminApi } from '../src/client.js';
import { bufferIo, run } from '../src/index.js';
import * as assert from 'uvu/assert';
import { parseCommand } from '../src/args.js';
import type { Group } from '../src/command.js';
import { commandName } from '../src/command.js';
import { UsageError } from '../src/errors.js';

export type Calls = { method: string; request: unknown }[];

/** An AdminApi whose methods come from `impl`; any other method fails the test loudly. */
export function fakeApi(impl: Partial<AdminApi>, calls: Calls = []): AdminApi {
  return new Proxy({} as AdminApi, {
    get(_t, prop: string) {
      if (prop === 'close') return () => {};
      const f = (impl as Record<string, unknown>)[prop];
      if (typeof f !== 'function')
        return () => {
          throw new Error(`fake AdminApi: unexpected call ${prop}`);
        };
      return (...args: unknown[]) => {
        calls.push({ method: prop, request: args[0] });
        return (f as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

/** Runs a command line in-process against a fake API (with an endpoint, so no cluster.json is read). */
export async function cairn(argv: string[], impl: Partial<AdminApi> = {}, env: Record<string, string> = {}) {
  const calls: Calls = [];
  const io = bufferIo({ env: { CAIRN_ENDPOINT: 'fake:1', CAIRN_TOKEN: 't', ...env } });
  const code = await run(argv, io, { api: () => fakeApi(impl, calls) });
  return { code, out: io.out(), err: io.err(), calls };
}

export function volume(o: Partial<Volume__Output> = {}): Volume__Output {
  return {
    name: 'vol-a',
    size: 1 << 30,
    state: 'detached',
    robustness: 'healthy',
    numberOfReplicas: 3,
    dataLocality: 'disabled',
    attachedTo: '',
    endpoint: '',
    replicas: [
      {
        id: 'vol-a-r1',
        node: 'node-1',
        disk: 'disk-1',
        state: 'running',
        address: '127.0.0.1:9501',
        trigger: 'new',
        failedReason: '',
        rebuildProgress: 0,
      },
      {
        id: 'vol-a-r2',
        node: 'node-2',
        disk: 'disk-1',
        state: 'running',
        address: '127.0.0.1:9502',
        trigger: 'new',
        failedReason: '',
        rebuildProgress: 0,
      },
      {
        id: 'vol-a-r3',
        node: 'node-3',
        disk: 'disk-1',
        state: 'running',
        address: '127.0.0.1:9503',
        trigger: 'new',
        failedReason: '',
        rebuildProgress: 0,
      },
    ],
    diskSelector: [],
    nodeSelector: [],
    replicaAutoBalance: 'ignored',
    staleReplicaTimeout: 2880,
    unschedulable: '',
    createdSeq: 7,
    fsType: 'ext4',
    mkfsParams: '',
    accessMode: 'rwo',
    seq: 12,
    replicaSoftAntiAffinity: 'default',
    replicaZoneSoftAntiAffinity: 'default',
    replicaDiskSoftAntiAffinity: 'default',
    dataSource: '',
    dataSourceReady: true,
    autoAttachReason: '',
    autoAttachedNode: '',
    waiting: '',
    csiName: '',
    kubernetes: null,
    unsupportedParameters: [],
    restore: null,
    labels: {},
    recurringJobs: [],
    ...o,
  };
}

export function disk(o: Partial<Disk__Output> = {}): Disk__Output {
  return {
    nodeId: 'node-1',
    diskId: 'disk-1',
    path: '/var/lib/cairn/disk-1',
    tags: ['ssd'],
    allowScheduling: true,
    evictionRequested: false,
    storageMaximum: 100 * 2 ** 30,
    storageAvailable: 80 * 2 ** 30,
    storageReserved: 10 * 2 ** 30,
    storageScheduled: 3 * 2 ** 30,
    replicas: 3,
    ...o,
  };
}

export function node(o: Partial<Node__Output> = {}): Node__Output {
  return {
    id: 'node-1',
    address: '127.0.0.1:9500',
    zone: 'zone-a',
    tags: [],
    allowScheduling: true,
    evictionRequested: false,
    cordoned: false,
    state: 'up',
    downReason: '',
    disks: [disk()],
    ...o,
  };
}

/** The command line `argv` of command `name` in group `g`, parsed by its spec. */
export const parse = (g: Group, name: string, argv: string[]) =>
  parseCommand(g.commands.find((c) => commandName(c) === name)!.spec, argv);

/** `f` throws a UsageError matching `re`. */
export function usageError(f: () => unknown, re: RegExp): void {
  try {
    f();
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`expected a UsageError matching ${re}`);
}

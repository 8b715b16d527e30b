// Test support: a real etcd on free loopback ports in a temp dir, torn down after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { EtcdCluster, openEtcd } from '../src/index.js';

export interface TestEtcd {
  cluster: EtcdCluster;
  client: Etcd3;
  dir: string;
  /** A fresh client on the same cluster (each EventLog in a test may want its own). */
  newClient(): Etcd3;
  close(): Promise<void>;
}

export async function startEtcd(members = 1): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-etcd-'));
  const cluster = await EtcdCluster.start({ dir, members });
  const clients: Etcd3[] = [];
  const newClient = (): Etcd3 => {
    const c = openEtcd(cluster.endpoints);
    clients.push(c);
    return c;
  };
  const client = newClient();
  return {
    cluster,
    client,
    dir,
    newClient,
    async close() {
      for (const c of clients) c.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unique key prefix per test so tests sharing one etcd never see each other's keys. */
let n = 0;
export function freshPrefix(): string {
  return `/cairn-test/${process.pid}-${++n}/`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 20 ms until it holds; fails after `ms` with a message naming what was awaited. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await sleep(20);
  }
}

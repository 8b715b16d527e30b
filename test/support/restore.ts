// What the restore suites share: reading a volume back over NBD, waiting for a restore, refusals.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import * as grpc from '@grpc/grpc-js';
import type { Volume__Output } from '@cairn/schema/types';
import { eventually } from './cluster.js';
import type { TestCluster } from './cluster.js';

const run = promisify(execFile);

export const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const clusterFlag = (c: TestCluster): string[] => ['--cluster', join(c.dir, 'cluster.json')];
export const volumeOf = (c: TestCluster, name: string): Promise<Volume__Output> => c.call('GetVolume', { name });

/** Attaches with the CLI (which waits until the engine serves) and returns the NBD URI. */
export async function attach(c: TestCluster, name: string, node: string): Promise<string> {
  const r = await c.cairn(['volume', 'attach', name, '--node', node, '-o', 'json', ...clusterFlag(c)]);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).nbd as string;
}

export async function readAll(c: TestCluster, uri: string, file: string): Promise<Buffer> {
  await run('nbdcopy', [uri, join(c.dir, file)], { timeout: 60_000 });
  const b = readFileSync(join(c.dir, file));
  rmSync(join(c.dir, file));
  return b;
}

/** Waits until the volume's restore is complete and the engine that did it is stopped. */
export async function restored(c: TestCluster, name: string, timeoutMs = 60_000): Promise<Volume__Output> {
  return eventually(`${name} restored and its engine stopped`, timeoutMs, async () => {
    const v = await volumeOf(c, name);
    if (v.restore?.state === 'failed') throw new Error(`restore failed: ${v.restore.error}`);
    return v.restore?.state === 'completed' && !v.autoAttachReason && v.state === 'detached' ? v : null;
  });
}

/** Attaches the volume, reads its whole export, detaches it again; returns the bytes. */
export async function contents(c: TestCluster, name: string, node: string): Promise<Buffer> {
  const uri = await attach(c, name, node);
  const data = await readAll(c, uri, `${name}.bin`);
  const d = await c.cairn(['volume', 'detach', name, ...clusterFlag(c)]);
  assert.is(d.code, 0, d.stderr);
  await eventually(`${name} detached`, 20_000, async () => (await volumeOf(c, name)).state === 'detached');
  return data;
}

export async function refusedWith(p: Promise<unknown>, code: keyof typeof grpc.status, re: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: grpc.ServiceError) => err,
  );
  assert.ok(e, `expected ${code}`);
  assert.is(grpc.status[e.code], code, e.details);
  assert.match(e.details, re);
}

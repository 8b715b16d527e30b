// A real etcd for a manager suite: a temporary directory, one member, and a client; stop() ends
// all three (what every suite that talks to etcd started and stopped by hand).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster, openEtcd } from '@cairn/metadata';
import type { Etcd3 } from '@cairn/metadata';

export interface EtcdFixture {
  dir: string;
  etcd: EtcdCluster;
  client: Etcd3;
  stop(): Promise<void>;
}

export async function startEtcd(name: string): Promise<EtcdFixture> {
  const dir = mkdtempSync(join(tmpdir(), `cairn-${name}-`));
  const etcd = await EtcdCluster.start({ dir: join(dir, 'etcd') });
  const client = openEtcd(etcd.endpoints);
  return {
    dir,
    etcd,
    client,
    async stop() {
      client.close();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

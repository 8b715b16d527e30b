// DIR/pki for `cairn up`: the cluster CA and the certificates its processes present, made with
// @cairn/api's pki.ts (no hand-written ASN.1, no openssl on the PATH).
//
// - ca.crt, ca.key: the cluster CA, made only when absent (a restarted cluster, and the etcd
//   certificates made from the same CA, keep trusting it).
// - manager.crt/.key: every manager's serving certificate (they all listen on this host), valid
//   for 127.0.0.1, localhost and the listen host; also usable as a client certificate.
// - node-N.crt/.key: node N's certificate, CN node-N, O cairn:nodes, DNS name node-N (what an
//   engine checks a replica server against) and the IP of its data host; server and client.
//
// The directory is 0700 and every key 0600: whoever reads a node's key can pose as that node.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createCa, issueCertificate } from '@cairn/api';
import type { CertifiedKey } from '@cairn/api';

/** The organisation in every node certificate: the role a peer reads with the common name. */
export const NODE_ORGANIZATION = 'cairn:nodes';

export interface PkiFiles {
  dir: string;
  ca: string;
  manager: { cert: string; key: string };
  nodes: Map<string, { cert: string; key: string }>;
}

export function pkiDir(clusterDir: string): string {
  return join(clusterDir, 'pki');
}

/** A directory for keys, created 0700 (and made 0700 if it was not). */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export function writeCertified(dir: string, name: string, c: CertifiedKey): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  writeFileSync(key, c.key, { mode: 0o600 });
  chmodSync(key, 0o600);
  writeFileSync(cert, c.cert, { mode: 0o644 });
  return { cert, key };
}

/** The cluster CA under `dir` (ca.crt, ca.key), made if either file is absent. */
export async function ensureCa(dir: string): Promise<CertifiedKey> {
  ensureDir(dir);
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  if (existsSync(cert) && existsSync(key)) return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  const ca = await createCa('cairn cluster CA');
  writeCertified(dir, 'ca', ca);
  return ca;
}

/** IP addresses go in as IP names, anything else as DNS names. */
export function names(hosts: string[]): { dns: string[]; ips: string[] } {
  const unique = [...new Set(hosts.filter((h) => h && h !== '0.0.0.0' && h !== '::'))];
  return { dns: unique.filter((h) => !isIP(h)), ips: unique.filter((h) => isIP(h)) };
}

/**
 * Makes DIR/pki: the CA if absent, then fresh manager and node certificates. `managerHosts`: the
 * hosts managers listen on; `nodes`: each node's id and data host.
 */
export async function makeClusterPki(
  clusterDir: string,
  managerHosts: string[],
  nodes: { id: string; host: string }[],
): Promise<PkiFiles> {
  const dir = pkiDir(clusterDir);
  const ca = await ensureCa(dir);
  const m = names(['127.0.0.1', 'localhost', ...managerHosts]);
  const manager = writeCertified(
    dir,
    'manager',
    await issueCertificate(ca, {
      commonName: 'manager',
      organization: 'cairn:managers',
      ...m,
      use: ['server', 'client'],
    }),
  );
  const issued = new Map<string, { cert: string; key: string }>();
  for (const n of nodes) {
    const { dns, ips } = names([n.id, n.host]);
    issued.set(
      n.id,
      writeCertified(
        dir,
        n.id,
        await issueCertificate(ca, {
          commonName: n.id,
          organization: NODE_ORGANIZATION,
          dns,
          ips,
          use: ['server', 'client'],
        }),
      ),
    );
  }
  return { dir, ca: join(dir, 'ca.crt'), manager, nodes: issued };
}

/** The command-line flags that give a process its certificate and the CA. */
export function tlsFlags(ca: string, c: { cert: string; key: string }): string[] {
  return ['--tls-ca', ca, '--tls-cert', c.cert, '--tls-key', c.key];
}

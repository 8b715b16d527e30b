// What `cairn up` does so that only the managers can read or write the event log: the cluster CA in
// DIR/pki (created if absent, kept across runs), a certificate for the etcd members (127.0.0.1 and
// localhost; members also dial each other with it), a client certificate for the managers (CN
// cairn-manager: their etcd user) and one for etcd's root user (CN root: only for setting users up
// and rotating). Keys are 0600. etcd then serves https only, asks every client for a certificate the
// CA signed, and has auth on with the managers' role limited to cairn's prefix (metadata's
// etcd-auth.ts). Nothing here is a password: etcd takes each user from its certificate's CN.
//
// With `--etcd URL` (an etcd the user runs) none of this happens: up passes the credentials the user
// gave (--etcd-ca, --etcd-cert, --etcd-key, --etcd-user, --etcd-password-file) to the managers.
import { join } from 'node:path';
import { commandHelp, flagTexts, issueCertificate, parseCommandLine, UsageError } from '@cairn/api';
import type { CommandSpec } from '@cairn/api';
import {
  enableEtcdAuth,
  ETCD_MANAGER_USER,
  ETCD_ROOT_USER,
  EtcdCluster,
  openEtcd,
  readEtcdCredentials,
} from '@cairn/metadata';
import type { EtcdCredentialFiles } from '@cairn/metadata';
import { ensureCa, ensureDir, pkiDir, writeCertified } from './up-pki.js';

/** The CN of the etcd members' certificate; members take peers that present it, no others. */
export const ETCD_MEMBER_CN = 'cairn-etcd';

/** PEM files of a certificate and its key. */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface EtcdPki {
  ca: string;
  /** The members' server (and peer) certificate. */
  server: CertFiles;
  /** The managers' client certificate: CN cairn-manager. */
  manager: CertFiles;
  /** etcd root's client certificate: CN root. Only `up` uses it, to set auth up. */
  root: CertFiles;
}

/** Issues the etcd certificates of this run under DIR/pki/etcd (fresh each `cairn up`). */
export async function issueEtcdPki(dir: string): Promise<EtcdPki> {
  // The cluster CA (up-pki.ts): the one the cairn APIs' certificates come from too.
  const ca = await ensureCa(pkiDir(dir));
  const out = join(pkiDir(dir), 'etcd');
  ensureDir(out);
  const server = writeCertified(
    out,
    'server',
    await issueCertificate(ca, {
      commonName: ETCD_MEMBER_CN,
      ips: ['127.0.0.1'],
      dns: ['localhost'],
      use: ['server', 'client'],
    }),
  );
  const manager = writeCertified(
    out,
    'manager',
    await issueCertificate(ca, { commonName: ETCD_MANAGER_USER, organization: 'cairn:managers', use: ['client'] }),
  );
  const root = writeCertified(out, 'root', await issueCertificate(ca, { commonName: ETCD_ROOT_USER, use: ['client'] }));
  return { ca: join(pkiDir(dir), 'ca.crt'), server, manager, root };
}

/** The managers' credential files, as `cairn manager` and cluster.json take them. */
export function managerEtcdCredentials(p: EtcdPki): EtcdCredentialFiles {
  return { ca: p.ca, cert: p.manager.cert, key: p.manager.key };
}

/**
 * Starts etcd on loopback with TLS and client certificates required, then creates root and the
 * managers' user and role and enables auth. Returns the running cluster; stop() it on failure.
 */
export async function startSecureEtcd(dir: string, members: number, pki: EtcdPki): Promise<EtcdCluster> {
  const root = readEtcdCredentials({ ca: pki.ca, cert: pki.root.cert, key: pki.root.key });
  const etcd = await EtcdCluster.start({
    dir: join(dir, 'etcd'),
    members,
    detached: true,
    tls: { ca: pki.ca, cert: pki.server.cert, key: pki.server.key, probe: root, peerCommonName: ETCD_MEMBER_CN },
  });
  try {
    const client = openEtcd(etcd.endpoints, root);
    try {
      await enableEtcdAuth(client);
    } finally {
      client.close();
    }
  } catch (e) {
    await etcd.stop();
    throw new Error(`could not turn on etcd authentication: ${(e as Error).message}`, { cause: e });
  }
  return etcd;
}

/** `cairn manager` flags for these credentials. */
export function etcdCredentialFlags(f: EtcdCredentialFiles): string[] {
  const flags: string[] = [];
  if (f.ca) flags.push('--etcd-ca', f.ca);
  if (f.cert) flags.push('--etcd-cert', f.cert, '--etcd-key', f.key!);
  if (f.user) flags.push('--etcd-user', f.user, '--etcd-password-file', f.passwordFile!);
  return flags;
}

export const ETCD_AUTH_COMMAND = {
  path: 'etcd-auth',
  args: [],
  summary: "Turn on etcd authentication for cairn: only the managers' certificate reads and writes cairn's keys.",
  notes:
    "Makes users root and cairn-manager (no passwords: etcd takes the user from the client certificate's CN,\n" +
    "--client-cert-auth) and the role cairn-manager with read and write on the prefix only. Run it with root's\n" +
    "certificate (CN root); running it again changes nothing. What deploy/'s cairn-etcd-auth Job runs; cairn up does the same itself.",
  flags: {
    etcd: { type: 'string', value: 'URL[,URL...]', required: true, help: "etcd's client endpoints" },
    'etcd-ca': { type: 'string', value: 'FILE', required: true, help: "the CA etcd's certificate is checked against" },
    'etcd-cert': { type: 'string', value: 'FILE', required: true, help: "root's client certificate" },
    'etcd-key': { type: 'string', value: 'FILE', required: true, help: 'its key' },
    prefix: { type: 'string', value: 'P', help: "cairn's key prefix (default /cairn/v1/)" },
    'timeout-s': { type: 'string', value: 'S', default: '300', help: 'how long to retry until etcd answers' },
    help: { type: 'boolean', short: 'h', help: 'print this help' },
  },
} satisfies CommandSpec;

/** `cairn etcd-auth`: enableEtcdAuth on an etcd someone else started (deploy/). Retries until etcd answers. */
export async function etcdAuth(args: string[]): Promise<number> {
  const p = parseCommandLine(ETCD_AUTH_COMMAND, args);
  if (p.flags['help']) return (void process.stdout.write(commandHelp(ETCD_AUTH_COMMAND)), 0);
  const values = flagTexts(ETCD_AUTH_COMMAND, p);
  if (!values.etcd || !values['etcd-ca'] || !values['etcd-cert'])
    throw new UsageError('--etcd, --etcd-ca, --etcd-cert and --etcd-key are required', ETCD_AUTH_COMMAND.path);
  const creds = readEtcdCredentials({ ca: values['etcd-ca'], cert: values['etcd-cert'], key: values['etcd-key'] });
  const deadline = Date.now() + Number(values['timeout-s']) * 1000;
  for (;;) {
    const client = openEtcd(values.etcd.split(','), creds);
    try {
      await enableEtcdAuth(client, { prefix: values.prefix });
      console.log(
        `etcd authentication is on: ${ETCD_MANAGER_USER} may read and write ${values.prefix ?? '/cairn/v1/'} only`,
      );
      return 0;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`could not turn on etcd authentication: ${(e as Error).message}`, { cause: e });
      console.log(`etcd not ready (${(e as Error).message}); retrying`);
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      client.close();
    }
  }
}

// Turns on etcd's authentication for cairn, so that nothing but the managers can read or write the
// event log: a `root` user (etcd requires it before auth can be enabled; it is needed again only to
// change users and roles) and a user for the managers whose one role may read and write cairn's key
// prefix and nothing else. Every key the managers use lives under that prefix (keys.ts: the log, its
// head, snapshots, election keys, managers/, status/), so the role needs no other range.
//
// The users have no password by default: etcd serves them to clients whose TLS certificate, signed
// by the cluster CA, carries the user's name as its common name (--client-cert-auth). That is one
// credential per identity (a certificate and key), never sent over the wire, rotated by issuing a new
// certificate; a node's certificate (CN node-N) names no etcd user and is refused. A password can be
// set too, for clients that cannot present a certificate (an etcd run by someone else).
//
// Run it on a fresh cluster with any client (auth is still off), or again (a Job that restarted
// half-way) as root: what exists already is left as it is, and the managers' role is granted its
// range again. It is not a rotation tool: docs/security.md says how to rotate with etcdctl as root.
import type { Etcd3 } from 'etcd3';
import { Range } from 'etcd3';
import { DEFAULT_PREFIX } from './keys.js';
import { prefixEndKey } from './prefix.js';

/** The etcd user (and role) of the managers: the CN of their etcd client certificate. */
export const ETCD_MANAGER_USER = 'cairn-manager';
/** etcd's superuser; with certificate auth, the CN of the certificate that may administer users. */
export const ETCD_ROOT_USER = 'root';

export interface EtcdAuthSetup {
  /** cairn's key prefix (Keys.prefix): the one range the managers' role may read and write. */
  prefix?: string;
  /** The managers' user and role (default ETCD_MANAGER_USER). */
  managerUser?: string;
  /** Passwords; absent: the user authenticates only by its certificate's common name. */
  managerPassword?: string;
  rootPassword?: string;
}

/** Runs a step that fails with etcd's "already exists" when it was done before: done is done. */
async function once(step: Promise<unknown>): Promise<void> {
  try {
    await step;
  } catch (e) {
    if (!/already exists/.test((e as Error).message)) throw e;
  }
}

function addUser(client: Etcd3, name: string, password: string | undefined): Promise<unknown> {
  return client.auth.userAdd(password === undefined ? { name, options: { no_password: true } } : { name, password });
}

/** Creates the users and the managers' role and enables auth (see the header). */
export async function enableEtcdAuth(client: Etcd3, o: EtcdAuthSetup = {}): Promise<void> {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  if (!prefix.endsWith('/')) throw new TypeError(`key prefix must end with "/": ${prefix}`);
  const manager = o.managerUser ?? ETCD_MANAGER_USER;
  if (manager === ETCD_ROOT_USER) throw new TypeError("the managers must not be etcd's root user");
  await once(addUser(client, ETCD_ROOT_USER, o.rootPassword));
  await once(client.auth.userGrantRole({ user: ETCD_ROOT_USER, role: 'root' }));
  await once(client.role(manager).create());
  await client.role(manager).grant({ permission: 'Readwrite', range: new Range(prefix, prefixEndKey(prefix)) });
  await once(addUser(client, manager, o.managerPassword));
  await once(client.auth.userGrantRole({ user: manager, role: manager }));
  await client.auth.authEnable();
}

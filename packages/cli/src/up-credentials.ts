// The credentials `cairn up` makes for its cluster, each file mode 0600 under DIR:
// - DIR/token: the admin token (the CLI's; refused on node-facing calls).
// - DIR/credentials/node.key: the node key, given to the managers (--node-key-file).
// - DIR/credentials/node-N.token: node-N's own token (its agent's --node-token-file), made from
//   the node key: a node's credential proves that node only.
// Kept across runs of `cairn up` in the same DIR, like the admin token (the node tokens are
// made again from the key each time: same key, same tokens).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newNodeKey, nodeToken } from '@cairn/api';

/** Writes `content` to `path` with mode 0600 (also when the file was there with a wider mode). */
function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** DIR/credentials (mode 0700), where the node key and the node tokens live. */
export function credentialsDir(dir: string): string {
  const d = join(dir, 'credentials');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  chmodSync(d, 0o700);
  return d;
}

/** The node key's file, made once per DIR (rotate it: delete the file; every node token changes). */
export function nodeKeyFile(dir: string): string {
  const path = join(credentialsDir(dir), 'node.key');
  if (!existsSync(path)) writeSecret(path, newNodeKey() + '\n');
  chmodSync(path, 0o600);
  return path;
}

/** Node `nodeId`'s token file, made from the node key in `keyFile`. */
export function nodeTokenFile(dir: string, keyFile: string, nodeId: string): string {
  const path = join(credentialsDir(dir), `${nodeId}.token`);
  writeSecret(path, nodeToken(readFileSync(keyFile, 'utf8').trim(), nodeId) + '\n');
  return path;
}

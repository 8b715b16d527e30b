// The node's credential, read from a file that may be replaced while the agent runs. In Kubernetes
// the node token is a projected service-account token: kubelet writes a fresh one (an hour's
// validity by default) before the old one expires, swapping the file in place. Reading it once at
// start would leave the agent with an expired credential after that hour; reading it on every call
// would stat and read the file a few times a second. So: stat per call, read when the file changed.
import { readFileSync, statSync } from 'node:fs';

/**
 * A token source for the node API client: the file's trimmed content, read again whenever its
 * modification time or size changes. The first read happens here, so a missing or empty file is an
 * error at start; later, an unreadable file (mid-swap) keeps the last token read.
 */
export function tokenFromFile(path: string): () => string {
  const read = (): { token: string; stamp: string } => {
    const st = statSync(path);
    const token = readFileSync(path, 'utf8').trim();
    if (!token) throw new Error(`the token file ${path} is empty`);
    return { token, stamp: `${st.mtimeMs}:${st.size}:${st.ino}` };
  };
  let last = read();
  return () => {
    try {
      const st = statSync(path);
      if (`${st.mtimeMs}:${st.size}:${st.ino}` !== last.stamp) last = read();
    } catch {
      // Being replaced, or gone for a moment: the last token still serves until it expires.
    }
    return last.token;
  };
}

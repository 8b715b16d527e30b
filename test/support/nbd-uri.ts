// Export URIs as the agents report them (libnbd's form: nbd+unix:///VOLUME?socket=PATH by
// default, nbd://HOST:PORT/VOLUME on a loopback listener): a volume's snapshot is served as the
// export VOLUME@SNAPSHOT next to it, so its URI is the volume's with the path changed, whatever
// the scheme and query.

/** The URI of snapshot `snapshot` of the volume whose export `uri` names. */
export function snapshotUri(uri: string, snapshot: string): string {
  const u = new URL(uri);
  u.pathname = `${u.pathname}@${snapshot}`;
  return u.toString();
}

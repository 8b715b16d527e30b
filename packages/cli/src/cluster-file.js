// DIR/cluster.json: what `cairn up` started and where (the admin address, the token file, etcd,
// every process id). `cairn down` and `cairn status` read it; so does the CLI's config resolution.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { grpcAdminApi } from './client.js';
export function clusterFilePath(dir) {
    return join(resolve(dir), 'cluster.json');
}
export function readClusterFile(dir) {
    const p = clusterFilePath(dir);
    if (!existsSync(p))
        return null;
    return JSON.parse(readFileSync(p, 'utf8'));
}
export function writeClusterFile(c) {
    writeFileSync(clusterFilePath(c.dir), JSON.stringify(c, null, 2) + '\n');
}
/** The admin API of the cluster `up` started (the CLI's own client). */
export function clusterApi(c, timeoutMs = 3000) {
    return grpcAdminApi({ endpoint: c.admin, token: readFileSync(c.token, 'utf8').trim(), tokenSource: c.token, timeoutMs });
}
//# sourceMappingURL=cluster-file.js.map
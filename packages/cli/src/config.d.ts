export declare const DEFAULT_CLUSTER_FILE = ".cairn/cluster.json";
export declare const DEFAULT_TIMEOUT_MS = 60000;
/** The connection flags of a command line (GLOBAL_FLAGS), by flag name. */
export interface ConnectionFlags {
    endpoint?: string | undefined;
    token?: string | undefined;
    'token-file'?: string | undefined;
    cluster?: string | undefined;
    'tls-ca'?: string | undefined;
    timeout?: string | undefined;
}
/** What cluster.json holds that the CLI uses; `cairn up` writes more (pids, nodes, etcd). */
export interface ClusterFile {
    /** host:port of a manager's admin API. */
    admin: string;
    /** Path of the file that holds the bearer token (relative paths: to cluster.json's directory). */
    token?: string;
    /** Path of the CA certificate (PEM) when the manager serves TLS. */
    tlsCa?: string;
}
export interface Connection {
    endpoint: string;
    token?: string;
    /** Where the token came from, for error messages: "--token", "CAIRN_TOKEN", a file path; '' when none. */
    tokenSource: string;
    tlsCa?: Buffer;
    timeoutMs: number;
    /** The cluster.json that was used, if any. */
    clusterFile?: string;
}
type Env = Record<string, string | undefined>;
/** Reads and checks a cluster.json; null when it does not exist and `required` is false. */
export declare function loadClusterFile(path: string, required: boolean): ClusterFile | null;
/**
 * Resolves the connection. Each of endpoint, token and CA comes from the first of: its flag, its
 * environment variable, the cluster file (--cluster, CAIRN_CLUSTER, or ./.cairn/cluster.json).
 * The cluster file's token and CA are used only for the cluster file's own manager: when the
 * endpoint comes from a flag or the environment and differs from the file's "admin", they are
 * not sent to it (unless the file was named explicitly).
 */
export declare function resolveConnection(flags: ConnectionFlags, env: Env, cwd: string): Connection;
export {};
//# sourceMappingURL=config.d.ts.map
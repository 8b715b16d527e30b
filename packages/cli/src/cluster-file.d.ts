import type { AdminApi } from './client.js';
export interface ClusterFile {
    dir: string;
    admin: string;
    token: string;
    etcd: string[];
    etcdPids: number[];
    /** csiEndpoint: unix:///path of the CSI Identity + Controller services. The first of `managers`. */
    manager: {
        id: string;
        pid: number;
        log: string;
        csiEndpoint: string;
    };
    /**
     * Every manager `up` started (--managers N), each on a fixed address so a restarted one comes
     * back where agents and clients knew it. command: the argv that (re)starts it (`cairn restart`).
     */
    managers?: {
        id: string;
        pid: number;
        log: string;
        address: string;
        csiEndpoint: string;
        command: string[];
    }[];
    /** The etcd members `up` started; command restarts one on its data. */
    etcdMembers?: {
        name: string;
        pid: number;
        clientUrl: string;
        log: string;
        command: string[];
    }[];
    /** csiEndpoint: unix:///path of each node's CSI Identity + Node services. command: its argv. */
    nodes: {
        id: string;
        pid: number;
        zone: string;
        disk: string;
        log: string;
        csiEndpoint: string;
        command?: string[];
    }[];
    startedAt: string;
}
export declare function clusterFilePath(dir: string): string;
export declare function readClusterFile(dir: string): ClusterFile | null;
export declare function writeClusterFile(c: ClusterFile): void;
/** The admin API of the cluster `up` started (the CLI's own client). */
export declare function clusterApi(c: ClusterFile, timeoutMs?: number): AdminApi;
//# sourceMappingURL=cluster-file.d.ts.map
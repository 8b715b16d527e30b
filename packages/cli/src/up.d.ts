export declare function alive(pid: number): boolean;
export declare function up(args: string[]): Promise<number>;
export declare function down(args: string[]): Promise<number>;
export declare function status(args: string[]): Promise<number>;
/**
 * `cairn restart NAME [--dir DIR]`: starts again, with the command line cluster.json recorded, a
 * process of the local cluster that is not running (node-N, manager-N, etcd-N), as Kubernetes
 * restarts a crashed pod; records its new pid. A running one is left alone (exit 0, says so).
 */
export declare function restart(args: string[]): Promise<number>;
//# sourceMappingURL=up.d.ts.map
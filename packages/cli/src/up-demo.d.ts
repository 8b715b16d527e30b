import type { ClusterFile } from './cluster-file.js';
export declare function runDemo(c: ClusterFile, name?: string): Promise<void>;
//# sourceMappingURL=up-demo.d.ts.map
// @cairn/datapath: replicas, the replicating engine and the NBD frontend.
export * from './block.js';

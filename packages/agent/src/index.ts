// @cairn/agent: the node agent, `cairn node`.
export { Agent, parseDiskFlag, diskInfo } from './agent.js';
export type { AgentOptions, DiskSpec } from './agent.js';
export { runAgent, AGENT_COMMAND } from './run.js';

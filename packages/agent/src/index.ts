/**
 * @module
 * `@anygrid/agent`: the Node provider agent. `startAgent` registers this device with a
 * coordinator and runs tasks in the WASI sandbox until stopped; `anygrid provide` is a
 * thin command around it.
 */

export { type Agent, type AgentOptions, startAgent } from './agent.js';
export { platformName } from './host-info.js';
export { type BufferSeconds, bufferSeconds, DEFAULT_BUFFER_SECONDS } from './pull-policy.js';

// Browser mode's runtime host thread: one per connected editor (thread-host.ts starts it), so a
// pipeline stuck in its own code or crashing its thread never takes the studio server with it:
// the server stays free to answer Stop, to end the thread, and to stop on Ctrl-C.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { isHostConfig, serveHostOnPort } from './serve-port.js';
import { nodePort } from './thread-host.js';

if (!parentPort || !isHostConfig(workerData)) throw new Error('tributary host thread: expected a configuration and a parent port');
parentPort.once('message', (port: MessagePort) => {
  // In a worker, process.exit ends this thread only.
  serveHostOnPort(workerData, nodePort(port), () => process.exit(0));
});

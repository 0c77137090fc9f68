// Runs the desktop app's runtime host entry (dist/electron/host-process.js) in a worker thread, as
// Electron's utilityProcess would: `process.parentPort` delivers the configuration and the port.
import { parentPort, workerData } from 'node:worker_threads';
import { asPortMain } from './node-port.mjs';

process.parentPort = {
  once(event, fn) {
    parentPort.once(event, (msg) => fn({ data: msg.config, ports: [asPortMain(msg.port)] }));
  },
};
await import(workerData.entry);

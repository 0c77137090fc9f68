// Starts the desktop app's runtime-host entry in worker threads, standing in for Electron's
// utilityProcess (which needs Electron's binary): each start gets a fresh worker and a new
// MessageChannel, the main side's port dressed as MessagePortMain. Shared by the desktop tests and
// `npm run bench -- desktop`. Plain JavaScript: the worker bootstrap loads it untransformed.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { asPortMain } from './node-port.mjs';

const BOOTSTRAP = fileURLToPath(new URL('./host-worker.mjs', import.meta.url));

/** `entry`: the compiled dist/electron/host-process.js. `launched` lists every start, restarts too. */
export function workerHosts(config, entry) {
  const launched = [];
  const launch = () => {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: pathToFileURL(entry).href } });
    launched.push(worker);
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ config, port: port1 }, [port1]);
    return {
      port: asPortMain(port2),
      onExit: (fn) => worker.once('exit', fn),
      kill: () => void worker.terminate(),
    };
  };
  return { launch, launched };
}

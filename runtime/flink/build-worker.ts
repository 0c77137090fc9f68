// Builds (or takes from the cache) the job jar on a worker thread, so the editor's host keeps
// answering while Maven and javac run (the first build on a machine takes a minute or more).
import { parentPort } from 'node:worker_threads';
import { flinkJobJar } from './build.js';

try {
  parentPort!.postMessage({ jar: flinkJobJar() });
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).message });
}

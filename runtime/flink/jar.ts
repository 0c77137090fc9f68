// The job jar for the editor's host: built off the host's thread (build-worker.ts), one build at a
// time per process.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { moduleDir } from './build.js';

/** The compiled worker: beside this file when running from dist/, else in dist/ (tests run sources after a build). */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = join(dirname(here), 'build-worker.js');
  if (here.endsWith('.js') && existsSync(beside)) return beside;
  return join(dirname(moduleDir()), 'dist', 'runtime', 'flink', 'build-worker.js');
}

let building: Promise<string> | null = null;

export function jobJarOffThread(): Promise<string> {
  building ??= new Promise<string>((resolve, reject) => {
    const w = new Worker(workerEntry());
    w.once('message', (m: { jar?: string; error?: string }) => (m.jar ? resolve(m.jar) : reject(new Error(`cannot build the Flink job: ${m.error}`))));
    w.once('error', (err) => reject(new Error(`cannot build the Flink job: ${err.message}`)));
    w.once('exit', (code) => reject(new Error(`cannot build the Flink job: the build thread ended (${code})`)));
  }).finally(() => {
    building = null;
  });
  return building;
}

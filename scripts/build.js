// `npm run build`: compiles the runtime, CLI and Electron main (tsc), the editor (vite) and the
// Electron preload (vite), and stamps each step. `--if-stale` (what `npm start` runs) skips a step
// whose stamp still matches: the same contents of every file it is built from (a hash, so a
// checkout that brings back older files, a rename or a deleted source counts as a change, whatever
// the modification times say) and the same files left behind in dist (a deleted or replaced output
// counts too). A start after `npm install` (whose prepare step built everything) or after an
// earlier start builds nothing. `--dry-run` prints the steps that would run.
// Plain JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const BIN = (name) => join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const CONFIG = ['package.json', 'package-lock.json', 'tsconfig.json'];
const TSBUILDINFO = 'dist/.tsbuildinfo';

/** Each step: the command, the files and folders it reads, and what it writes in dist. */
const STEPS = [
  {
    name: 'tsc',
    run: [BIN('tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', TSBUILDINFO],
    inputs: [...CONFIG, 'tsconfig.build.json', 'runtime', 'scripts', 'bench', 'electron'],
    outputs: ['dist/runtime', 'dist/scripts', 'dist/bench', 'dist/electron'],
    // Written by the preload step into the same folder.
    notOutputs: ['dist/electron/preload.cjs'],
  },
  {
    name: 'editor',
    run: [BIN('vite'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    // The editor bundles the runtime's isomorphic parts (format, expressions, node specs).
    inputs: [...CONFIG, 'renderer', 'runtime'],
    outputs: ['dist/renderer'],
  },
  {
    name: 'preload',
    run: [BIN('vite'), 'build', '--config', 'electron/vite.preload.config.ts'],
    inputs: [...CONFIG, 'electron/preload.ts', 'electron/vite.preload.config.ts', 'runtime'],
    outputs: ['dist/electron/preload.cjs'],
  },
];

/** Every file under `path` (folders searched whole, skipping node_modules and dist), sorted. */
function files(path, skip = []) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return [];
  }
  if (skip.includes(path)) return [];
  if (!st.isDirectory()) return [path];
  const out = [];
  for (const e of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    out.push(...files(join(path, e.name), skip));
  }
  return out;
}

/** Hash of the step's command and of the names and contents of every file it reads. */
function inputsHash(step) {
  const h = createHash('sha256').update(JSON.stringify(step.run.slice(1)));
  for (const p of step.inputs) {
    for (const f of files(join(ROOT, p))) h.update(`\0${relative(ROOT, f)}\0`).update(readFileSync(f));
  }
  return h.digest('hex');
}

/** The files the step left in dist, each with its size and modification time. */
function outputsManifest(step) {
  const skip = (step.notOutputs ?? []).map((p) => join(ROOT, p));
  const out = {};
  for (const p of step.outputs) {
    for (const f of files(join(ROOT, p), skip)) {
      const st = statSync(f);
      out[relative(ROOT, f)] = `${st.size}:${st.mtimeMs}`;
    }
  }
  return out;
}

const stampOf = (step) => join(DIST, `.built-${step.name}`);

function readStamp(step) {
  try {
    return JSON.parse(readFileSync(stampOf(step), 'utf8'));
  } catch {
    return null;
  }
}

/** Are the step's outputs exactly those its stamp recorded (none deleted, replaced or added)? */
function outputsIntact(step, stamp) {
  const now = outputsManifest(step);
  const keys = Object.keys(now);
  return keys.length > 0 && keys.length === Object.keys(stamp.outputs ?? {}).length && keys.every((k) => stamp.outputs[k] === now[k]);
}

const ifStale = process.argv.includes('--if-stale');
// `--dry-run`: only print the steps that would run, one a line.
const dryRun = process.argv.includes('--dry-run');
for (const step of STEPS) {
  const stamp = readStamp(step);
  const hash = inputsHash(step); // before the step runs: a file saved meanwhile makes it stale again
  const intact = stamp !== null && outputsIntact(step, stamp);
  if (ifStale && intact && stamp.inputs === hash) continue;
  if (dryRun) {
    process.stdout.write(`${step.name}\n`);
    continue;
  }
  // Incremental tsc re-emits only what changed in the sources: it does not notice a deleted or
  // edited output. Unless the outputs are exactly as the last build left them, build from scratch
  // (as a plain `npm run build` always does).
  if (step.name === 'tsc' && !(ifStale && intact)) rmSync(join(ROOT, TSBUILDINFO), { force: true });
  rmSync(stampOf(step), { force: true }); // a step that fails leaves no stamp behind
  const r = spawnSync(step.run[0], step.run.slice(1), { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    if (r.error) process.stderr.write(`build: ${step.name}: ${r.error.message}\n`);
    process.exit(r.status ?? 1);
  }
  mkdirSync(DIST, { recursive: true });
  writeFileSync(stampOf(step), `${JSON.stringify({ inputs: hash, outputs: outputsManifest(step) })}\n`);
}

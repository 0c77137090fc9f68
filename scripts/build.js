// `npm run build`: compiles the runtime, CLI and Electron main (tsc), the editor (vite) and the
// Electron preload (vite), and stamps each step's output. `--if-stale` (what `npm start` runs)
// skips a step whose stamp is newer than every file it is built from, so a start after
// `npm install` (whose prepare step built everything) or after an earlier start builds nothing.
// `--dry-run` prints the steps that would run. Plain JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const BIN = (name) => join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const CONFIG = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** Each step: the command, the files and folders it reads, and a file it must leave behind. */
const STEPS = [
  {
    name: 'tsc',
    run: [BIN('tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'],
    inputs: [...CONFIG, 'tsconfig.build.json', 'runtime', 'scripts', 'bench', 'electron'],
    output: 'dist/scripts/start.js',
  },
  {
    name: 'editor',
    run: [BIN('vite'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    // The editor bundles the runtime's isomorphic parts (format, expressions, node specs).
    inputs: [...CONFIG, 'renderer', 'runtime'],
    output: 'dist/renderer/index.html',
  },
  {
    name: 'preload',
    run: [BIN('vite'), 'build', '--config', 'electron/vite.preload.config.ts'],
    inputs: [...CONFIG, 'electron/preload.ts', 'electron/vite.preload.config.ts', 'runtime'],
    output: 'dist/electron/preload.cjs',
  },
];

/** Newest modification time (ms) under `path`, folders searched whole. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    max = Math.max(max, newest(join(path, e.name)));
  }
  return max;
}

const stampOf = (step) => join(DIST, `.built-${step.name}`);

function fresh(step) {
  const stamp = stampOf(step);
  if (!existsSync(stamp) || !existsSync(join(ROOT, step.output))) return false;
  const built = statSync(stamp).mtimeMs;
  return step.inputs.every((p) => newest(join(ROOT, p)) <= built);
}

const ifStale = process.argv.includes('--if-stale');
// `--dry-run`: only print the steps that would run, one a line.
const dryRun = process.argv.includes('--dry-run');
for (const step of STEPS) {
  if (ifStale && fresh(step)) continue;
  if (dryRun) {
    process.stdout.write(`${step.name}\n`);
    continue;
  }
  // The stamp takes the time the step began: a file saved while it runs makes it stale again.
  const began = new Date();
  const r = spawnSync(step.run[0], step.run.slice(1), { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    if (r.error) process.stderr.write(`build: ${step.name}: ${r.error.message}\n`);
    process.exit(r.status ?? 1);
  }
  mkdirSync(DIST, { recursive: true });
  writeFileSync(stampOf(step), `${began.toISOString()}\n`);
  utimesSync(stampOf(step), began, began);
}

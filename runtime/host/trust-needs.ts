// What in a pipeline needs the user's trust before it runs. Code runs with the user's permissions;
// so, in effect, does a file path that leaves the pipeline's folder: a pipeline without a line of
// code could otherwise write ~/.bashrc, add its sibling's hash to the trust store, or read
// ~/.ssh/id_rsa and post it with sink.http. Paths inside the folder (the usual `data/…`, `out/…`)
// need nothing unless they name something hidden (`.git/config`), so a pipeline shared as a folder keeps working as before. Symbolic links count
// where they point: a folder shipped with `out -> ~` is outside.
// Environment references (`${NAME}`) are the same kind of reach: `"url": "http://…/?s=${AWS_SECRET}"`
// posts a secret anywhere. A reference needs trust when its variable is set here (its value would
// enter the run); an unset one leaves only the default the file itself holds, so the shipped
// examples (`${KAFKA_BROKERS:-127.0.0.1:9092}`) run at once where nothing is configured, and ask
// once, per content, where the variables are. A Redis URL naming a unix socket reaches whatever
// local service listens there (a Docker daemon's socket, say): that needs trust too.
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { resolveEnvLeniently, setEnvNames } from '../connectors/env.js';
import { redisSocketPath } from '../connectors/redis/client.js';
import { type Pipeline, validatePipeline } from '../format/validate.js';
import { stateDir, TrustStore } from './trust.js';
import { overwriteReasons } from './trust-overwrite.js';

export function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Hidden names inside the folder hold other tools' settings that the user's machine, not the
 * pipeline's author, wrote: `.git/config` (its fsmonitor runs a command), `.vscode/`, `.envrc`.
 */
export function hidden(folder: string, path: string): boolean {
  return relative(folder, path)
    .split(sep)
    .some((name) => name.startsWith('.'));
}

/** An absolute path with its longest existing prefix resolved through symbolic links. */
export async function real(path: string): Promise<string> {
  const missing: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    try {
      return join(await realpath(p), ...missing);
    } catch {
      if (dirname(p) === p) return path;
      missing.unshift(basename(p));
    }
  }
}

/**
 * Why this pipeline may run only once the user trusts it; empty when it needs no trust.
 * `baseDir` is the folder relative paths resolve against (the pipeline file's); `trustFile` the
 * trust store in use, off limits like the rest of Tributary's settings folder; `env` the environment
 * the run would resolve references in.
 */
export async function trustReasons(pipeline: Pipeline, baseDir: string, trustFile: string = new TrustStore().file, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const reasons = pipeline.codeNodes.map((id) => `node '${id}' contains JavaScript code, which runs with your permissions`);
  const folder = await real(resolve(baseDir));
  const settings = await real(resolve(stateDir()));
  const store = await real(resolve(trustFile));
  for (const f of pipeline.filePaths) {
    const target = await real(resolve(baseDir, f.value));
    const where = `node '${f.nodeId}' (params.${f.param}) uses the file ${target}`;
    // The store is replaced through `<store>.<pid>.tmp`: those names are the store too.
    if (inside(settings, target) || target === store || target.startsWith(`${store}.`)) {
      reasons.push(`${where}, inside Tributary's own settings (its trust store lives there)`);
    } else if (!inside(folder, target)) reasons.push(`${where}, outside the pipeline's folder ${folder}`);
    else if (hidden(folder, target)) reasons.push(`${where}, a hidden file or folder inside the pipeline's folder`);
  }
  reasons.push(...(await overwriteReasons(pipeline, baseDir)));
  reasons.push(...envReasons(pipeline, env));
  return reasons;
}

function envReasons(pipeline: Pipeline, env: NodeJS.ProcessEnv): string[] {
  const reasons: string[] = [];
  for (const p of pipeline.envParams) {
    const where = p.nodeId === null ? `the pipeline's settings (settings.${p.param})` : `node '${p.nodeId}' (params.${p.param})`;
    const names = setEnvNames(p.value, env);
    if (names.length > 0) {
      const what = names.length === 1 ? `the environment variable ${names[0]}` : `the environment variables ${names.join(', ')}`;
      reasons.push(`${where} reads ${what}, set on this machine: the value goes wherever the pipeline sends it`);
    }
    const socket = p.connects === 'redis' ? redisSocketPath(resolveEnvLeniently(p.value, env)) : null;
    if (socket !== null) reasons.push(`${where} connects to the local socket ${socket}, which can reach any service on this machine`);
  }
  return reasons;
}

/** As trustReasons, for a document that may not validate: null when it is invalid (it cannot run). */
export async function trustReasonsOf(doc: unknown, baseDir: string, trustFile?: string, env?: NodeJS.ProcessEnv): Promise<string[] | null> {
  const { pipeline } = validatePipeline(doc);
  return pipeline ? trustReasons(pipeline, baseDir, trustFile, env) : null;
}

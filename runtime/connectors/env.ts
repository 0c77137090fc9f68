// Environment references in connection params (`${NAME}`, `${NAME:-default}`), resolved when the
// run starts: passwords and per-machine addresses need not live in the pipeline file.
import { NodeError } from '../engine/errors.js';
import { envRefs, replaceEnvRefs } from '../format/params.js';

/** Set means set and not empty: an empty variable takes the reference's default, as in a POSIX shell's `:-`. */
function isSet(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

export function resolveEnv(value: string, nodeId: string, param: string, env: NodeJS.ProcessEnv = process.env): string {
  return replaceEnvRefs(value, ({ name, fallback }) => {
    const v = env[name];
    if (isSet(v)) return v;
    if (fallback !== undefined) return fallback;
    throw new NodeError(nodeId, `${param}: environment variable ${name} is not set`);
  });
}

/**
 * The variables a value references that are set here: the ones whose values a run would carry
 * out of the environment (an unset one leaves only its default, which the file itself holds).
 */
export function setEnvNames(value: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const names = new Set<string>();
  for (const { name } of envRefs(value)) if (isSet(env[name])) names.add(name);
  return [...names];
}

/** As resolveEnv, but an unset variable without a default becomes '' (for checks before a run, which then fails on it). */
export function resolveEnvLeniently(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return replaceEnvRefs(value, ({ name, fallback }) => (isSet(env[name]) ? env[name] : (fallback ?? '')));
}

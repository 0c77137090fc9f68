// Environment references in connection params (`${NAME}`, `${NAME:-default}`), resolved when the
// run starts: passwords and per-machine addresses need not live in the pipeline file.
import { NodeError } from '../engine/errors.js';
import { ENV_REF } from '../format/params.js';

export function resolveEnv(value: string, nodeId: string, param: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    throw new NodeError(nodeId, `${param}: environment variable ${name} is not set`);
  });
}

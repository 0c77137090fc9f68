// Building blocks for node param schemas. Every node spec composes these, so a rule about a kind
// of value (what a duration is, how an expression is checked) lives here once and reaches
// validation, the JSON Schema, the docs page and the editor's forms alike.
import { z } from 'zod';
import { checkCode, checkExpression, checkTemplate, type ExprOptions } from '../expr/index.js';
import { MAX_DURATION_MS, MAX_TIMER_MS, parseDuration } from './duration.js';

/** `format` values in JSON Schema that tell tools (docs, the editor) what a string holds. */
export const FORMATS = {
  expression: 'tributary-expression',
  code: 'tributary-code',
  duration: 'tributary-duration',
  template: 'tributary-key-template',
  path: 'tributary-path',
  env: 'tributary-env-string',
} as const;

function position(line: number, column: number): string {
  return line > 1 ? `line ${line}, column ${column}` : `column ${column}`;
}

function durationText(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
}

/**
 * A duration: milliseconds as a number, or "<n><unit>" with unit ms|s|m|h|d, at most 100 years.
 * `timer`: the value is a wait (a timeout, a backoff, an interval), so it must fit a timer.
 */
export function duration(description: string, opts: { timer?: boolean } = {}) {
  return z
    .union([z.number().nonnegative(), z.string()])
    .superRefine((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === null) {
        const huge = typeof v === 'number' ? v > MAX_DURATION_MS : /^\s*\d/.test(String(v)) && parseDuration(String(v).replace(/^\s*\d+(?:\.\d+)?/, '0')) !== null;
        ctx.addIssue({
          code: 'custom',
          message: huge
            ? `duration ${durationText(v)} is longer than 100 years, the longest a duration may be`
            : `invalid duration ${durationText(v)}: use milliseconds or "<n><unit>" with unit ms, s, m, h or d (e.g. "15m")`,
        });
      } else if (opts.timer && ms > MAX_TIMER_MS) {
        ctx.addIssue({ code: 'custom', message: `duration ${durationText(v)} is longer than 24.8 days (2^31 − 1 ms), the longest a timer can wait` });
      }
    })
    .meta({ description, format: FORMATS.duration });
}

/** One JavaScript expression over the record, checked at validation time with its column. */
export function expression(description: string, opts?: ExprOptions) {
  return z
    .string()
    .superRefine((src, ctx) => {
      const p = checkExpression(src, opts);
      if (p) ctx.addIssue({ code: 'custom', message: `${p.message} (${position(p.line, p.column)})` });
    })
    // x-params: the names in scope, so the Flink export rebuilds the same checked AST, and the field
    // checks know which name holds the record (when not just `event`).
    .meta({ description, format: FORMATS.expression, ...(opts?.params ? { 'x-params': opts.params } : {}) });
}

/** A JavaScript function body; running it needs the user's trust in the file. */
export function code(description: string, params: string[]) {
  return z
    .string()
    .superRefine((src, ctx) => {
      const p = checkCode(src, params);
      if (p) ctx.addIssue({ code: 'custom', message: `${p.message} (${position(p.line, p.column)})` });
    })
    .meta({ description, format: FORMATS.code, 'x-params': params });
}

/** A file path; relative paths resolve against the pipeline file's folder. */
export function filePath(description: string) {
  return z.string().min(1, 'path is empty').meta({ description, format: FORMATS.path });
}

/**
 * The fields a source's records carry, as the editor sampled them from the running source and
 * remembered in the pipeline file (or as written by hand). Only checks use them: a reference
 * downstream to a field not listed is a warning. Unset: the fields are unknown and not checked.
 */
export function declaredFields() {
  return z
    .array(z.string().min(1))
    .optional()
    .meta({ description: 'Field names of the records, as sampled from the running source by the editor (Inspector → Remember fields). Used only to warn about references to unknown fields downstream; unset: not checked.' });
}

/** Event-time assignment shared by every source (pipeline-format.md, "Time"). */
export function eventTime() {
  return z
    .strictObject({
      field: z.string().min(1).meta({ description: 'Record field holding the event time: epoch milliseconds or an ISO-8601 string.' }),
      maxOutOfOrderness: duration('How far behind the newest timestamp a record may arrive and still be on time; the watermark is max timestamp − this − 1 ms.').default(0),
      idleTimeout: duration('Mark this input idle after this long without records, so it does not hold back the watermark. Unset: never idle.', { timer: true }).optional(),
    })
    .meta({ description: 'Take event time from a record field and emit bounded-out-of-orderness watermarks. Without it, records carry their ingestion (processing) time.' });
}

/** `${NAME}` or `${NAME:-default}`: a value taken from the environment when the run starts. */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** One environment reference in a string: the variable's name and its default, if it has one. */
export interface EnvRef {
  readonly name: string;
  readonly fallback: string | undefined;
}

/**
 * The one reading of environment references: resolving them for a run and judging which need
 * trust both go through here, so no form can be resolved that the trust check did not see.
 * `fn` gives each reference's replacement; single pass (a default is never itself resolved).
 */
export function replaceEnvRefs(value: string, fn: (ref: EnvRef) => string): string {
  return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => fn({ name, fallback }));
}

/** Every environment reference in a string, in order. */
export function envRefs(value: string): EnvRef[] {
  const refs: EnvRef[] = [];
  replaceEnvRefs(value, (ref) => {
    refs.push(ref);
    return '';
  });
  return refs;
}

/**
 * A string that may contain environment references (`${KAFKA_PASSWORD}`, `${BROKERS:-127.0.0.1:9092}`),
 * resolved when the run starts, so secrets and per-machine addresses stay out of the pipeline file.
 */
export function envString(description: string) {
  return z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      const stripped = replaceEnvRefs(v, () => '');
      if (stripped.includes('${')) ctx.addIssue({ code: 'custom', message: `malformed environment reference in ${JSON.stringify(v)}: use \${NAME} or \${NAME:-default}` });
      // A default is taken as written, never resolved: `${A:-${B}}` would send the text `${B}`.
      else if (envRefs(v).some((r) => r.fallback?.includes('${'))) {
        ctx.addIssue({ code: 'custom', message: `a default cannot hold another reference in ${JSON.stringify(v)}: defaults are taken as written (\${NAME:-default})` });
      }
    })
    .meta({ description: `${description} May use \`\${NAME}\` / \`\${NAME:-default}\` environment references.`, format: FORMATS.env });
}

/** A key template: `{field}` placeholders (dots for nested fields) filled from the record. */
export function keyTemplate(description: string) {
  return z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      const p = checkTemplate(v);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    })
    .meta({ description, format: FORMATS.template });
}

// Flink's own CepOperator as a reference for the cep node: Maven fetches Apache Flink's CEP jars
// (once, cached in ~/.m2), javac compiles flink-cep/FlinkCepReference.java against them (once per
// version of it), and each call runs a batch of cases in one JVM. The cases and results are
// described in FlinkCepReference.java.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('./flink-cep', import.meta.url));
const POM = join(DIR, 'pom.xml');
const SOURCE = join(DIR, 'FlinkCepReference.java');
const CACHE = join(homedir(), '.m2', 'tributary');

/** What a condition tests (FlinkCepReference.condition); flinkCondition writes it as an expression. */
export interface RefCondition {
  /** The event's letters are one of these; unset: any event. */
  letters?: string[];
  /** The event's price exceeds the sum of the prices this step has taken. */
  gtSum?: string;
  /** This step has taken fewer than n events. */
  cntLt?: { step: string; n: number };
}

export interface RefEvent {
  name: string;
  ts: number;
  price: number;
  key: number;
  wmAfter?: number;
  /** Processing time at which the event arrives (time: processing). */
  pt?: number;
}

export interface RefCase {
  /** The cep node's steps, with `cond` (and `until`) as RefConditions instead of expressions. */
  pattern: Record<string, unknown>[];
  within?: number;
  afterMatch: { strategy: string; step?: string };
  time?: 'event' | 'processing';
  events: RefEvent[];
  /** Processing time to advance to before the input ends. */
  endPt?: number;
}

export interface RefOutput {
  port: 'out' | 'timeout' | 'late';
  /** Absent where Flink gives the record no timestamp (processing time). */
  ts?: number;
  /** "step:event …" for out and timeout, the event name for late. */
  m: string;
}

export type RefResult = { error: string } | { out: RefOutput[] };

/** The cep node's `where` / `until` expression for a RefCondition. */
export function flinkCondition(c: RefCondition): string {
  const parts: string[] = [];
  if (c.letters) parts.push(`(${c.letters.map((l) => `t == '${l}'`).join(' || ')})`);
  if (c.gtSum) parts.push(`price > coalesce(sum(match.${c.gtSum}, 'price'), 0)`);
  if (c.cntLt) parts.push(`coalesce(length(match.${c.cntLt.step}), 0) < ${c.cntLt.n}`);
  return parts.length > 0 ? parts.join(' && ') : 'true';
}

const hash = (...files: string[]) => createHash('sha256').update(files.map((f) => readFileSync(f, 'utf8')).join('\0')).digest('hex').slice(0, 12);

function classpath(): string {
  const file = join(CACHE, `flink-cep-classpath-${hash(POM)}.txt`);
  if (existsSync(file)) {
    const cp = readFileSync(file, 'utf8').trim();
    if (cp.split(':').every((jar) => existsSync(jar))) return cp;
  }
  mkdirSync(CACHE, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-f', POM, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(file, 'utf8').trim();
}

/** The classpath to run FlinkCepReference with, compiled if needed. */
export function flinkReference(): string {
  const cp = classpath();
  mkdirSync(CACHE, { recursive: true });
  const classes = join(CACHE, `flink-cep-reference-${hash(POM, SOURCE)}`);
  if (!existsSync(classes)) {
    // Compiled aside and moved in whole: test runs in other checkouts share the cache.
    const fresh = mkdtempSync(join(CACHE, 'flink-cep-compiling-'));
    execFileSync('javac', ['-nowarn', '-cp', cp, '-d', fresh, SOURCE], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      renameSync(fresh, classes);
    } catch {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  return `${classes}:${cp}`;
}

/** Run the cases through Flink's CepOperator, one result per case. */
export function runFlinkCep(cases: RefCase[]): RefResult[] {
  const cp = flinkReference();
  const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-cep-'));
  try {
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    // Java 17 closes the JDK internals Flink's serializers reach into unless opened.
    const opens = ['java.lang', 'java.util', 'java.lang.reflect', 'java.time'].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);
    const r = spawnSync('java', [...opens, '-cp', cp, 'FlinkCepReference', join(dir, 'cases.json'), join(dir, 'results.json')], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.status !== 0) throw new Error(`FlinkCepReference failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.slice(-2000)}`);
    return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RefResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `tributary flink …`: run a pipeline on Apache Flink. `local` runs the job in a MiniCluster
// (a plain `java` process), `run` submits it to a cluster over REST and follows it, `cluster
// up|down` starts a local session cluster, `export` writes the jar and the compiled pipeline.
// Every node that cannot run on Flink is named, with the reason, before anything starts.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { type FlinkProblem, compileForFlink, flinkProblems } from '../format/flink.js';
import { exportFlinkSql } from '../format/flink-sql/index.js';
import { formatProblem } from '../format/problems.js';
import { type Loaded, loadPipelineFile } from '../host/load.js';
import { ADD_OPENS, flinkClasspath, flinkJobJar } from './flink-build.js';
import { clusterDown, clusterUp } from './flink-cluster.js';
import { failureOf, follow, submit } from './flink-rest.js';
import { sqlSamples } from './flink-sql-samples.js';
import type { Io } from './main.js';
import { trusted } from './run.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_INVALID = 2;

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

interface Ctx {
  readonly io: Io;
  readonly confirm: (q: string) => Promise<boolean>;
  setCode(code: number): void;
}

const listProblems = (ps: readonly FlinkProblem[]): string => ps.map((p) => `  node '${p.nodeId}': ${p.reason}\n`).join('');

/** Load, validate and check trust (with the Flink job's support unless `forJob` is false); null with the reasons printed. */
async function prepare(file: string, trust: boolean, ctx: Ctx, forJob = true): Promise<Loaded | null> {
  const loaded = await loadPipelineFile(file);
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) ctx.io.stderr.write(`${formatProblem(p)}\n`);
    ctx.setCode(EXIT_INVALID);
    return null;
  }
  const problems = flinkProblems(loaded.pipeline!);
  if (forJob && problems.length > 0) {
    ctx.io.stderr.write(`${file} cannot run on Flink:\n${listProblems(problems)}`);
    ctx.setCode(EXIT_INVALID);
    return null;
  }
  if (!(await trusted(loaded, { io: ctx.io, trust, confirm: ctx.confirm }))) {
    ctx.setCode(EXIT_INVALID);
    return null;
  }
  return loaded;
}

/** Run the job in a MiniCluster; resolves with the java process's exit code. */
export function runLocal(compiledFile: string, io: Io, parallelism?: number): Promise<number> {
  const cp = `${flinkJobJar()}:${flinkClasspath()}`;
  const args = [...ADD_OPENS, '-cp', cp, 'dev.tributary.flink.TributaryJob', '--pipeline', compiledFile];
  if (parallelism !== undefined) args.push('--parallelism', String(parallelism));
  return new Promise((done) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.stdout.write(d));
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => {
      if (code !== 0) {
        // The job's own failure names the node; Flink's wrapping exceptions say little.
        const node = /node '[^']+': [^\n]*/.exec(err);
        const causes = err.split('\n').filter((l) => l.startsWith('Caused by:'));
        io.stderr.write(`tributary: the Flink job failed: ${node ? node[0] : causes.length > 0 ? causes.slice(-2).join('\n') : err.trim().split('\n').slice(-20).join('\n')}\n`);
      }
      done(code ?? 1);
    });
  });
}

export function addFlinkCommands(program: Command, ctx: Ctx): void {
  const flink = program.command('flink').description('Run pipelines on Apache Flink (Java 17 and Maven build the job once).');

  flink
    .command('local')
    .description('Run the pipeline on Flink in a MiniCluster (one local JVM) until its sources end.')
    .argument('<pipeline>', 'pipeline JSON file')
    .option('--parallelism <n>', 'parallelism of the job (default: the pipeline\'s settings.parallelism)', positiveInt)
    .option('--trust', 'trust this file (files outside its folder); remembered for this exact content')
    .action(async (file: string, opts: { parallelism?: number; trust?: boolean }) => {
      const loaded = await prepare(file, opts.trust === true, ctx);
      if (!loaded) return;
      const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-'));
      try {
        const compiledFile = join(dir, 'pipeline.flink.json');
        writeFileSync(compiledFile, JSON.stringify(compileForFlink(loaded.pipeline!, loaded.resolvePath, opts.parallelism, readFileSync), null, 2));
        const code = await runLocal(compiledFile, ctx.io, opts.parallelism);
        ctx.setCode(code === 0 ? EXIT_OK : EXIT_FAILED);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

  flink
    .command('run')
    .description('Submit the pipeline to a Flink cluster over its REST API, print the job id and web UI link, and follow the job.')
    .argument('<pipeline>', 'pipeline JSON file')
    .requiredOption('--jobmanager <url>', 'the JobManager\'s REST address, e.g. http://127.0.0.1:8081')
    .option('--parallelism <n>', 'parallelism of the job', positiveInt)
    .option('--from-savepoint <path>', 'start from this savepoint')
    .option('--allow-non-restored-state', 'with --from-savepoint: start even if the savepoint holds state for operators the job no longer has (that state is dropped)')
    .option('--detach', 'return once the job is submitted')
    .option('--trust', 'trust this file (files outside its folder); remembered for this exact content')
    .action(async (file: string, opts: { jobmanager: string; parallelism?: number; fromSavepoint?: string; allowNonRestoredState?: boolean; detach?: boolean; trust?: boolean }) => {
      const loaded = await prepare(file, opts.trust === true, ctx);
      if (!loaded) return;
      try {
        const compiled = compileForFlink(loaded.pipeline!, loaded.resolvePath, opts.parallelism, readFileSync);
        const s = await submit(opts.jobmanager, flinkJobJar(), compiled, { parallelism: opts.parallelism, fromSavepoint: opts.fromSavepoint, allowNonRestoredState: opts.allowNonRestoredState === true });
        ctx.io.stdout.write(`job ${s.jobId}\nweb UI: ${s.webUi}\n`);
        if (opts.detach) return;
        const state = await follow(opts.jobmanager, s.jobId, (st) => ctx.io.stderr.write(`state: ${st}\n`));
        if (state !== 'FINISHED') {
          ctx.io.stderr.write(`tributary: the Flink job ended ${state}: ${await failureOf(opts.jobmanager, s.jobId)}\n`);
          ctx.setCode(EXIT_FAILED);
        }
      } catch (err) {
        ctx.io.stderr.write(`tributary: ${(err as Error).message}\n`);
        ctx.setCode(EXIT_FAILED);
      }
    });

  flink
    .command('export')
    .description(
      'Write the job jar and the compiled pipeline, for deploying the job yourself (`flink run tributary-flink.jar --pipeline <file>`), and, when every node has a faithful SQL form, a Flink SQL script (pipeline.sql); otherwise each node that has none is named with the reason.',
    )
    .argument('<pipeline>', 'pipeline JSON file')
    .option('--out <dir>', 'folder to write into', 'flink-export')
    .option('--sample <node=file>', 'JSON Lines records whose fields give a Kafka source\'s SQL column types (a file source\'s own first lines are read)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--trust', 'trust this file (files outside its folder); remembered for this exact content')
    .action(async (file: string, opts: { out: string; sample: string[]; trust?: boolean }) => {
      const loaded = await prepare(file, opts.trust === true, ctx, false);
      if (!loaded) return;
      const pipeline = loaded.pipeline!;
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      const compiled = compileForFlink(pipeline, loaded.resolvePath, undefined, readFileSync);
      const written: string[] = [];
      const jobProblems = flinkProblems(pipeline);
      if (jobProblems.length === 0) {
        copyFileSync(flinkJobJar(), join(out, 'tributary-flink.jar'));
        writeFileSync(join(out, 'pipeline.flink.json'), `${JSON.stringify(compiled, null, 2)}\n`);
        written.push(join(out, 'tributary-flink.jar'), join(out, 'pipeline.flink.json'));
      } else {
        ctx.io.stderr.write(`the job jar is not written: ${file} cannot run on Flink:\n${listProblems(jobProblems)}`);
      }
      let samples: Record<string, unknown[]>;
      try {
        samples = sqlSamples(pipeline, compiled, opts.sample);
      } catch (err) {
        ctx.io.stderr.write(`tributary: ${(err as Error).message}\n`);
        ctx.setCode(EXIT_INVALID);
        return;
      }
      const sql = exportFlinkSql(pipeline, compiled, { samples });
      if (sql.ok) {
        writeFileSync(join(out, 'pipeline.sql'), sql.script);
        written.push(join(out, 'pipeline.sql'));
      } else {
        ctx.io.stderr.write(`no Flink SQL written (pipeline.sql): these nodes have no faithful SQL form:\n${listProblems(sql.problems)}`);
      }
      if (written.length > 0) ctx.io.stderr.write(`wrote ${written.join(', ')}\n`);
      else ctx.setCode(EXIT_INVALID);
    });

  const cluster = flink.command('cluster').description('A local Flink session cluster: JobManager and TaskManager processes on 127.0.0.1.');
  cluster
    .command('up')
    .description('Start it (state and logs in --dir) and wait until its TaskManager has registered.')
    .option('--port <port>', 'REST and web UI port', positiveInt, 8081)
    .option('--slots <n>', 'task slots of the TaskManager', positiveInt, 2)
    .option('--dir <dir>', 'folder for its config, logs and pids', '.tributary/flink')
    .action(async (opts: { port: number; slots: number; dir: string }) => {
      try {
        const c = await clusterUp({ dir: resolve(opts.dir), port: opts.port, slots: opts.slots });
        ctx.io.stdout.write(`flink: session cluster up at ${c.url} (web UI), pids ${c.pids.join(', ')}\n`);
      } catch (err) {
        ctx.io.stderr.write(`tributary: ${(err as Error).message}\n`);
        ctx.setCode(EXIT_FAILED);
      }
    });
  cluster
    .command('down')
    .description('Stop the cluster `cluster up` started in --dir.')
    .option('--dir <dir>', 'the folder given to `cluster up`', '.tributary/flink')
    .action(async (opts: { dir: string }) => {
      const stopped = await clusterDown(resolve(opts.dir));
      ctx.io.stdout.write(stopped ? 'flink: cluster stopped\n' : 'flink: no cluster started by `flink cluster up` in that folder\n');
    });
}

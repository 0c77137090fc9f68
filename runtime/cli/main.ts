// `tributary` — the headless CLI (pipeline-format.md, "Headless CLI"). Exit codes: 0 done,
// 1 runtime failure, 2 invalid pipeline or usage.
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { parseDuration } from '../format/duration.js';
import { formatProblem } from '../format/problems.js';
import { pipelineWarnings } from '../format/warnings.js';
import { loadPipelineFile } from '../host/load.js';
import { addFlinkCommands } from './flink.js';
import { formatFile } from './format.js';
import { runLoaded } from './run.js';
import { runStudio } from './studio.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID = 2;

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one)');
  return n;
}

function durationArg(value: string): number {
  if (value.trim() === '0') return 0;
  const ms = parseDuration(value);
  if (ms === null || ms === undefined || !(ms > 0)) throw new InvalidArgumentError('expected a duration such as 500ms, 10s or 1m');
  return ms;
}

interface RunFlags {
  metricsPort?: number;
  metricsToken?: string;
  trust?: boolean;
  quiet?: boolean;
  checkpointDir?: string;
  checkpointInterval?: number;
  savepointDir?: string;
  from?: string;
  fresh?: boolean;
  allowNonRestoredState?: boolean;
}

async function confirm(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code = EXIT_OK;
  const program = new Command()
    .name('tributary')
    .description('Validate and run Tributary pipelines headless.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');

  program
    .command('validate')
    .description('Check a pipeline without running it: exit 0 when valid (warnings are printed too), else 2 with one line per problem.')
    .argument('<pipeline>', 'pipeline JSON file')
    .action(async (file: string) => {
      const loaded = await loadPipelineFile(file);
      for (const p of loaded.problems) io.stderr.write(`${formatProblem(p)}\n`);
      // Warnings (unknown fields, loose ends) are printed the same way but leave the exit code 0.
      // An invalid file gets its errors alone: a warning about it (an edge to a missing node makes
      // its source's output "go nowhere") would only restate an error.
      const warnings = loaded.text === null || loaded.problems.length > 0 ? [] : pipelineWarnings(JSON.parse(loaded.text.replace(/^\uFEFF/, '')));
      for (const w of warnings) io.stderr.write(`${formatProblem(w)}\n`);
      if (loaded.problems.length > 0) {
        code = EXIT_INVALID;
        return;
      }
      const p = loaded.pipeline!;
      const w = warnings.length === 0 ? '' : `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
      io.stderr.write(`${file}: valid (${p.nodes.length} nodes, ${p.edges.length} edges${w})\n`);
    });

  program
    .command('format')
    .description('Rewrite pipeline files the way the editor saves them: pretty-printed, stable key order.')
    .argument('<pipelines...>', 'pipeline JSON files')
    .option('--check', 'change nothing; exit 2 if a file is not in canonical form')
    .action(async (files: string[], opts: { check?: boolean }) => {
      for (const file of files) {
        const r = await formatFile(file, opts.check === true);
        if (r.problem) io.stderr.write(`${file}: ${r.problem}\n`);
        if (!r.ok) code = EXIT_INVALID;
      }
    });

  program
    .command('run')
    .description('Run a pipeline until its sources are exhausted (or until interrupted), flush its sinks, and exit.')
    .argument('<pipeline>', 'pipeline JSON file')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics', port)
    .option('--metrics-token <token>', 'token the metrics endpoint requires (default: a new random one, printed on start)')
    .option('--trust', 'trust this file (its code, files outside its folder, environment variables it reads); remembered for this exact content')
    .option('-q, --quiet', 'no progress or summary on stderr')
    .option('--checkpoint-dir <dir>', "where this pipeline's checkpoints go (default: .tributary/checkpoints/<file name> beside the pipeline)")
    .option('--checkpoint-interval <duration>', 'time between checkpoints, e.g. 10s (default: settings.checkpoint.interval, else 10s); 0 for savepoints only', durationArg)
    .option('--savepoint-dir <dir>', 'where savepoints go (default: the checkpoint folder); kept until you delete them')
    .option('--from <checkpoint>', 'resume from this checkpoint or savepoint file instead of the newest')
    .option('--fresh', 'ignore existing checkpoints and start from the beginning')
    .option('--allow-non-restored-state', 'resume even if the checkpoint holds state for nodes the pipeline no longer has (that state is dropped)')
    .action(async (file: string, opts: RunFlags) => {
      const loaded = await loadPipelineFile(file);
      if (loaded.problems.length > 0) {
        for (const p of loaded.problems) io.stderr.write(`${formatProblem(p)}\n`);
        code = EXIT_INVALID;
        return;
      }
      code = await runLoaded(loaded, {
        io,
        trust: opts.trust === true,
        quiet: opts.quiet === true,
        metricsPort: opts.metricsPort,
        metricsToken: opts.metricsToken ?? process.env.TRIBUTARY_METRICS_TOKEN,
        confirm: (q) => confirm(io, q),
        checkpoints: {
          checkpointDir: opts.checkpointDir,
          savepointDir: opts.savepointDir,
          from: opts.from,
          fresh: opts.fresh === true,
          allowNonRestoredState: opts.allowNonRestoredState === true,
          interval: opts.checkpointInterval,
        },
      });
    });

  program
    .command('studio')
    .description('Open the visual editor in the browser, with a runtime host serving 127.0.0.1 only.')
    .argument('[pipeline]', 'pipeline JSON file to open (its folder becomes the workspace)')
    .option('--port <port>', 'port to serve on (default: a free one)', port, 0)
    .option('--no-open', 'print the URL but do not open a browser')
    .action(async (file: string | undefined, opts: { port: number; open: boolean }) => {
      code = await runStudio({ file, port: opts.port, open: opts.open }, io);
    });

  addFlinkCommands(program, {
    io,
    confirm: (q) => confirm(io, q),
    setCode: (c) => {
      code = c;
    },
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not failures; everything else commander rejects is usage.
      return err.exitCode === 0 ? EXIT_OK : EXIT_INVALID;
    }
    throw err;
  }
  return code;
}

// Kill-and-restart harness for the checkpoint tests (Kafka Streams' EOS system test idea): start
// `tributary run`, SIGKILL it at a random moment (some right after a checkpoint appears, so some
// land while the next one is being written), start it again, until a run ends by itself.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { BIN, freshHome } from '../support/cli.js';

/** Longest one run may take (a loaded machine runs the server-sink pipelines slowly). */
const RUN_TIMEOUT = Number(process.env.CHECKPOINT_RUN_TIMEOUT ?? 180_000);

/** One run, killed with SIGKILL as soon as `ready` holds for the checkpoint folder's files. */
export async function killWhen(args: string[], ckptDir: string, ready: (files: string[]) => boolean): Promise<{ signal: string | null; stderr: string }> {
  return runOnce(
    args,
    freshHome(),
    (child) => {
      const poll = setInterval(() => {
        if (!ready(checkpointsIn(ckptDir))) return;
        clearInterval(poll);
        child.kill('SIGKILL');
      }, 10);
      child.on('close', () => clearInterval(poll));
    },
    RUN_TIMEOUT,
  );
}

export interface KillRun {
  /** Runs killed with at least one checkpoint on disk. */
  kills: number;
  /** stderr of every run, in order. */
  logs: string[];
  /**
   * Per run, whether checkpoints were on disk when it started (so it must have resumed). A kill
   * can land after a run has finished its work and cleared its checkpoints, just before it exits;
   * the run after it then starts afresh, as a new run of a finished pipeline does.
   */
  resumable: boolean[];
  final: { code: number | null; stderr: string };
}

function checkpointsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.ckpt'));
  } catch {
    return [];
  }
}

/** A seeded random number generator, so a failing sequence of kill moments can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runOnce(args: string[], home: string, killAfter: ((child: ReturnType<typeof spawn>) => void) | null, timeout: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TRIBUTARY_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')} did not finish in time; stderr:\n${stderr}`));
    }, timeout);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stderr });
    });
    killAfter?.(child);
  });
}

/**
 * Kill `kills` times, each once a new checkpoint has appeared in `ckptDir` plus a random delay of
 * up to `jitterMs` (a run that ends first ends the loop), then run to the end.
 */
export async function killAndRestart(
  args: string[],
  ckptDir: string,
  kills: number,
  random: () => number,
  jitterMs = 600,
  /** When to start the kill's random delay; default: once a new checkpoint is on disk. */
  ready: (files: string[], before: ReadonlySet<string>) => boolean = (files, before) => files.some((n) => !before.has(n)),
): Promise<KillRun> {
  const home = freshHome();
  const logs: string[] = [];
  const resumable: boolean[] = [];
  let done = 0;
  for (let k = 0; k < kills; k++) {
    const before = new Set(checkpointsIn(ckptDir));
    resumable.push(before.size > 0);
    const r = await runOnce(
      args,
      home,
      (child) => {
        const poll = setInterval(() => {
          if (!ready(checkpointsIn(ckptDir), before)) return;
          clearInterval(poll);
          // A run whose checkpoints are gone has finished: let it exit rather than kill it after.
          setTimeout(() => checkpointsIn(ckptDir).length > 0 && child.kill('SIGKILL'), random() * jitterMs);
        }, 20);
        child.on('close', () => clearInterval(poll));
      },
      RUN_TIMEOUT,
    );
    logs.push(r.stderr);
    if (r.signal !== 'SIGKILL') return { kills: done, logs, resumable, final: { code: r.code, stderr: r.stderr } };
    done++;
  }
  resumable.push(checkpointsIn(ckptDir).length > 0);
  const last = await runOnce(args, home, null, RUN_TIMEOUT);
  logs.push(last.stderr);
  return { kills: done, logs, resumable, final: { code: last.code, stderr: last.stderr } };
}

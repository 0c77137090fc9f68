// The run slice: Run/Stop, the trust prompt, and the live figures the host streams (per node,
// per edge, totals), with a short history per node for the sparklines.
import type { HostEvents, JobState, NodeFigures, RunResult } from '../../../runtime/host/contract.js';
import type { Problem } from '../../../runtime/format/problems.js';
import type { Sampled } from '../model/fields.js';
import { liveDoc, playsLive } from '../model/live.js';
import { placeProblems } from '../model/problems.js';
import { type RunProblems, runProblemsAfterFailure, runProblemsFromFigures } from '../model/run-problems.js';
import { flinkJobLive } from './flink-slice.js';
import type { Deps, Get, Set } from './types.js';

export type RunStatus = 'idle' | 'starting' | JobState;

/** Samples kept per node for its sparkline (at 4 a second: the last 15 seconds). */
export const SPARK_POINTS = 60;

export interface RunSlice {
  runStatus: RunStatus;
  runId: number | null;
  runError: { readonly message: string; readonly nodeId: string | null } | null;
  uptimeMs: number;
  throughput: number;
  figures: Readonly<Record<string, NodeFigures>>;
  /** Records/s out (in, for sinks) per node, oldest first. */
  spark: Readonly<Record<string, readonly number[]>>;
  edgeRates: Readonly<Record<string, number>>;
  consoleLines: readonly string[];
  /** `then`: what to do once trusted (Run on Flink); by default Run. */
  trustPrompt: { readonly reasons: readonly string[]; readonly then?: () => Promise<void> } | null;
  /** Field names seen on each edge while running (for completion). */
  sampled: Sampled;
  /** What went wrong while running, per node (the Run problems panel, like NiFi's bulletins). */
  runProblems: RunProblems;

  /** `fresh`: ignore the file's checkpoints (by default a saved file resumes from its newest, as `tributary run`). */
  run(opts?: { fresh?: boolean }): Promise<void>;
  stop(): Promise<void>;
  trustAndRun(): Promise<void>;
  dismissTrust(): void;
  resetRun(): void;
  onMetrics(m: HostEvents['metrics']): void;
  onJob(j: HostEvents['job']): void;
  onConsole(c: HostEvents['console']): void;
  addSampled(edges: Sampled): void;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

const IDLE = { runStatus: 'idle' as RunStatus, runId: null, runError: null, uptimeMs: 0, throughput: 0, figures: {}, spark: {}, edgeRates: {}, consoleLines: [], trustPrompt: null, runProblems: {} as RunProblems };

export function runSlice(set: Set, get: Get, deps: Deps): RunSlice {
  const host = () => {
    if (!deps.host) throw new Error('not connected to the runtime host');
    return deps.host;
  };
  const showProblems = (problems: readonly Problem[]) => set({ problems: placeProblems(get().doc, problems) });
  // What Run sends: a template plays live (model/live.ts); trust is asked for the same document.
  const runDoc = () => (playsLive(get().origin) ? liveDoc(get().doc) : get().doc);
  // A run's banner belongs to that run: a new run, the trust prompt or a fix takes it away.
  const clearRunNotice = () => {
    if (get().notice?.run) set({ notice: null });
  };
  const runNotice = (text: string) => set({ notice: { text, kind: 'error', at: deps.now(), run: true } });
  return {
    ...IDLE,
    sampled: {},

    async run(opts) {
      const s = get().runStatus;
      if (s === 'starting' || s === 'running') return;
      clearRunNotice();
      set({ ...IDLE, runStatus: 'starting', flinkJob: null });
      let r: RunResult;
      try {
        r = await host().call('run', { doc: runDoc(), origin: get().origin, fresh: opts?.fresh ?? false });
      } catch (err) {
        // Never left 'starting' (which ignores Run) when the call itself fails: say why, stay usable.
        set({ runStatus: 'idle' });
        get().notify(`cannot run: ${errorText(err)}`, 'error');
        return;
      }
      if (r.ok) {
        // The job event may already have arrived; the run id ties later events to this run.
        set({ runId: r.runId, runStatus: get().runStatus === 'starting' ? 'running' : get().runStatus });
        get().onRunStarted(r);
        get().retapAfterStart();
        setTimeout(() => {
          if (get().runId !== r.runId || get().runStatus !== 'running') return;
          host().call('sampleFields', {}).then((x) => get().addSampled(x.edges), () => {});
        }, 1000);
        return;
      }
      set({ runStatus: 'idle' });
      if (r.reason === 'invalid') {
        showProblems(r.problems);
        runNotice(`cannot run: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} (see Problems)`);
      } else if (r.reason === 'untrusted') set({ trustPrompt: { reasons: r.reasons } });
      else if (r.reason === 'busy') get().notify('a pipeline is already running', 'error');
      else {
        const runError = { message: r.message, nodeId: r.nodeId };
        set({ runStatus: 'failed', runError, runProblems: runProblemsAfterFailure(get().runProblems, runError, deps.now()) });
        runNotice(`run failed: ${r.nodeId ? `${r.nodeId}: ` : ''}${r.message}`);
        // Its checkpoint could not be resumed (the pipeline was edited, or it is damaged): the
        // message points at Start over, so the offer that holds it comes back.
        if (!opts?.fresh && r.message.startsWith('cannot resume:')) void get().checkResume();
      }
    },
    async stop() {
      // During Stop with savepoint the run stops once it is saved; a plain Stop (Ctrl+Enter) then
      // would start the stop grace period while the savepoint is still being written.
      if (get().runStatus !== 'running' || get().savingPoint) return;
      if (flinkJobLive(get().flinkJob)) return get().stopFlink(false);
      await host().call('stop', {});
    },
    async trustAndRun() {
      const then = get().trustPrompt?.then;
      set({ trustPrompt: null });
      try {
        await host().call('trust', { doc: runDoc(), origin: get().origin });
      } catch (err) {
        get().notify(`cannot trust this pipeline: ${errorText(err)}`, 'error');
        return;
      }
      await (then ? then() : get().run());
    },
    dismissTrust() {
      set({ trustPrompt: null });
    },
    resetRun() {
      clearRunNotice();
      set({ ...IDLE, sampled: {} });
    },
    onMetrics(m) {
      const runId = get().runId;
      if (runId !== null && m.runId !== runId) return;
      const figures: Record<string, NodeFigures> = {};
      const spark: Record<string, readonly number[]> = {};
      const prev = get().spark;
      const types = new Map(get().doc.nodes.map((n) => [n.id, n.type]));
      for (const f of m.nodes) {
        figures[f.id] = f;
        const v = types.get(f.id)?.startsWith('sink.') ? f.rateIn : f.rateOut;
        const old = prev[f.id] ?? [];
        spark[f.id] = old.length >= SPARK_POINTS ? [...old.slice(old.length - SPARK_POINTS + 1), v] : [...old, v];
      }
      const edgeRates: Record<string, number> = {};
      for (const e of m.edges) edgeRates[e.id] = e.rate;
      const runProblems = runProblemsFromFigures(get().runProblems, m.nodes);
      set({ figures, spark, edgeRates, uptimeMs: m.uptimeMs, throughput: m.throughput, ...(runProblems !== get().runProblems ? { runProblems } : {}) });
    },
    onJob(j) {
      const runId = get().runId;
      if (runId !== null && j.runId !== runId) return;
      set({ runStatus: j.state, uptimeMs: j.uptimeMs, runError: j.error ?? null, ...(runId === null ? { runId: j.runId } : {}) });
      if (j.state === 'failed' && j.error) {
        set({ runProblems: runProblemsAfterFailure(get().runProblems, j.error, deps.now()) });
        runNotice(`run failed: ${j.error.nodeId ? `${j.error.nodeId}: ` : ''}${j.error.message} (see Run problems)`);
      }
      if (j.state !== 'running') set({ throughput: 0 });
    },
    onConsole(c) {
      const lines = [...get().consoleLines, ...(c.dropped > 0 ? [`… ${c.dropped} lines not shown`] : []), ...c.lines];
      set({ consoleLines: lines.length > 500 ? lines.slice(lines.length - 500) : lines });
    },
    addSampled(edges) {
      // Taps report their fields several times a second; only a new name is a change (a new
      // object would re-render every form that offers field names).
      const old = get().sampled;
      let merged: Record<string, readonly string[]> | null = null;
      for (const [k, v] of Object.entries(edges)) {
        const had = old[k] ?? [];
        if (v.every((f) => had.includes(f))) continue;
        merged ??= { ...old };
        merged[k] = [...new Set([...had, ...v])].sort();
      }
      if (merged) set({ sampled: merged });
    },
  };
}

// The Flink slice: "Run on Flink…" — the dialog, the nodes that cannot run on Flink (named with
// the reason before anything is submitted), the submitted job's Flink state and web UI link, and
// Stop (cancel, or stop-with-savepoint). The host builds, submits and polls; its `job` and
// `metrics` events fill the same run figures an embedded run does. When a document opens (a
// reloaded page opens its document again) the job last submitted from it is found again: followed
// if it still runs, said in a sentence if it has ended since or its cluster does not answer.
import { flinkProblems } from '../../../runtime/format/flink.js';
import { validatePipeline } from '../../../runtime/format/validate.js';
import type { FlinkAttachResult, FlinkJobInfo, FlinkProblemFigure, FlinkRunResult, HostEvents, JobState } from '../../../runtime/host/contract.js';
import type { Doc } from '../model/doc.js';
import { liveDoc, playsLive } from '../model/live.js';
import { placeProblems } from '../model/problems.js';
import type { Deps, Get, Set } from './types.js';

/** Flink's terminal job states (JobStatus.isGloballyTerminalState, and SUSPENDED). */
const ENDED = new Set(['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED', 'UNKNOWN']);

export interface FlinkSlice {
  flinkDialog: boolean;
  /** The Flink job of the current (or last) run on Flink; null for embedded runs. */
  flinkJob: FlinkJobInfo | null;
  /** Building the jar and submitting it. */
  flinkSubmitting: boolean;
  /** What the last submission refused: nodes that cannot run on Flink. */
  flinkRefused: readonly FlinkProblemFigure[];

  openFlinkDialog(): void;
  closeFlinkDialog(): void;
  runOnFlink(jobmanager: string, parallelism?: number): Promise<void>;
  /** Cancel the Flink job, or stop it with a savepoint. */
  stopFlink(savepoint: boolean): Promise<void>;
  onFlinkJob(j: HostEvents['job']): void;
  /** A document was opened: follow the Flink job submitted from it earlier, or say what became of it. */
  reattachFlink(): Promise<void>;
}

/** Flink's terminal states as the editor's run states (as the host's jobStateOf). */
const RUN_STATE: Readonly<Record<string, JobState>> = { FINISHED: 'finished', CANCELED: 'stopped', SUSPENDED: 'stopped', FAILED: 'failed' };

/** The nodes of a document that cannot run on Flink, as the host would name them; null when it does not validate. */
export function flinkProblemsOf(doc: Doc): readonly FlinkProblemFigure[] | null {
  const { pipeline } = validatePipeline(doc);
  return pipeline ? flinkProblems(pipeline) : null;
}

/** Whether a Flink job is still going (Stop applies to it). */
export function flinkJobLive(job: FlinkJobInfo | null): boolean {
  return job !== null && !ENDED.has(job.state);
}

export function flinkSlice(set: Set, get: Get, deps: Deps): FlinkSlice {
  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
  return {
    flinkDialog: false,
    flinkJob: null,
    flinkSubmitting: false,
    flinkRefused: [],

    openFlinkDialog() {
      set({ flinkDialog: true, flinkRefused: [] });
    },
    closeFlinkDialog() {
      set({ flinkDialog: false });
    },
    async runOnFlink(jobmanager, parallelism) {
      const s = get().runStatus;
      if (s === 'starting' || s === 'running' || !deps.host) return;
      get().resetRun();
      set({ runStatus: 'starting', flinkJob: null, flinkSubmitting: true, flinkRefused: [] });
      // A template plays live on Flink too (model/live.ts): endless, throttled generators.
      const doc = playsLive(get().origin) ? liveDoc(get().doc) : get().doc;
      let r: FlinkRunResult;
      try {
        r = await deps.host.call('flinkRun', { doc, origin: get().origin, jobmanager, ...(parallelism !== undefined ? { parallelism } : {}) });
      } catch (err) {
        set({ runStatus: 'idle', flinkSubmitting: false });
        get().notify(`cannot run on Flink: ${errorText(err)}`, 'error');
        return;
      } finally {
        set({ flinkSubmitting: false });
      }
      if (r.ok) {
        set({ flinkDialog: false, runId: r.runId, runStatus: get().runStatus === 'starting' ? 'running' : get().runStatus });
        if (get().flinkJob === null) set({ flinkJob: { jobId: r.jobId, state: 'INITIALIZING', webUi: r.webUi, cluster: jobmanager } });
        return;
      }
      set({ runStatus: 'idle' });
      if (r.reason === 'notOnFlink') {
        set({ flinkRefused: r.problems });
        get().notify(`cannot run on Flink: ${r.problems.map((p) => `${p.nodeId}: ${p.reason}`).join('; ')}`, 'error');
      } else if (r.reason === 'invalid') {
        set({ problems: placeProblems(get().doc, r.problems), flinkDialog: false });
        get().notify(`cannot run on Flink: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} (see Problems)`, 'error');
      } else if (r.reason === 'untrusted') {
        set({ flinkDialog: false, trustPrompt: { reasons: r.reasons, then: () => get().runOnFlink(jobmanager, parallelism) } });
      } else if (r.reason === 'busy') get().notify('a pipeline is already running', 'error');
      else {
        set({ runStatus: 'failed', runError: { message: r.message, nodeId: r.nodeId } });
        get().notify(`cannot run on Flink: ${r.message}`, 'error');
      }
    },
    async stopFlink(savepoint) {
      if (!deps.host || !flinkJobLive(get().flinkJob) || get().savingPoint) return;
      if (savepoint) set({ savingPoint: true });
      try {
        const r = await deps.host.call('flinkStop', { savepoint });
        if (r.savepoint) get().notify(`savepoint saved on the cluster: ${r.savepoint}; the job stops`);
        else if (r.savepointFailed) get().notify(`savepoint failed: ${r.savepointFailed}; the job goes on running`, 'error');
      } catch (err) {
        get().notify(`cannot stop the Flink job: ${errorText(err)}`, 'error');
      } finally {
        if (savepoint) set({ savingPoint: false });
      }
    },
    async reattachFlink() {
      const origin = get().origin;
      // The previous document's job is not this one's (the host still follows it until another is attached).
      if (get().runId === null) set({ flinkJob: null });
      if (!deps.host || origin.kind === 'new') return;
      let r: FlinkAttachResult;
      try {
        r = await deps.host.call('flinkAttach', { origin });
      } catch {
        return; // a file the host cannot place has no job
      }
      // Another document may have opened meanwhile, or a run started here: then the answer is not for the canvas.
      if (get().origin !== origin || r.status === 'none') return;
      if (r.status === 'following') {
        // A run asked for here answers for itself (the host refuses one of the two).
        if (get().runStatus === 'starting') return;
        // The host follows this job now and has stopped following the previous document's (it never
        // does so during a run here): that one's figures and Cancel go, or Cancel would end this job
        // while the status bar showed the other.
        if (get().runId !== r.runId) get().resetRun();
        set({ runId: r.runId, runStatus: 'running', flinkJob: r.job });
        get().notify(`following the Flink job ${r.job.jobId} submitted from this pipeline (on ${r.job.cluster})`);
        return;
      }
      // Not followed here: said (the host has forgotten a job that ended), with no Cancel (this host
      // could not cancel it); a run going here keeps the status bar.
      const live = get().runStatus === 'starting' || get().runStatus === 'running';
      if (r.status !== 'busy' && !live) set({ flinkJob: r.job, ...(RUN_STATE[r.job.state] ? { runStatus: RUN_STATE[r.job.state] } : {}) });
      get().notify(r.message, r.status === 'ended' && r.job.state === 'FINISHED' ? 'info' : 'error');
    },
    onFlinkJob(j) {
      const runId = get().runId;
      if (runId !== null && j.runId !== runId) return;
      if (j.flink) set({ flinkJob: j.flink });
    },
  };
}

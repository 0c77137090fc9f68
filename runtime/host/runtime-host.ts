// The runtime host: the contract's implementation for one connected editor. It validates, checks
// trust, plans and runs one job at a time, streams its figures a few times a second, serves data
// taps and the workspace's files. Transport-agnostic: browser mode serves it over a WebSocket, the
// desktop app over a MessagePort to a utilityProcess.
import { errorMessage, NodeError } from '../engine/errors.js';
import { RunFinishingError } from '../engine/checkpoint/coordinator.js';
import type { Job } from '../engine/job.js';
import { planJob } from '../engine/plan.js';
import { writeWithoutCheckpoints } from '../engine/transactional-sink.js';
import { serializePipeline } from '../format/serialize.js';
import { validatePipeline } from '../format/validate.js';
import { OPERATORS } from '../nodes/operators.js';
import { ConsoleLines } from './console-lines.js';
import { type CheckedParamsOf, edgeKey, type HostApi, type HostInfo, METRICS_INTERVAL_MS, type OpenedDoc, type Origin, type ResultOf, type RunResult } from './contract.js';
import { type Checkpointing, setUpCheckpointing } from './checkpointing.js';
import { checkpointFigures, checkpointFolderInside, newestSaved, resumedCheckpoint } from './run-checkpoints.js';
import { UnplacedStateError } from '../engine/checkpoint/snapshot.js';
import { FigureSampler } from './figures.js';
import { checkForFlink, FlinkRun, webUiOf } from './flink-run.js';
import { FlinkJobStore } from './flink-jobs.js';
import { lookUpJob } from './flink-look-up.js';
import { TERMINAL } from '../flink/rest.js';
import { modelInfo } from './model-info.js';
import { tuneHeapForStreaming } from './heap.js';
import { type Channel, eventSink, type EventSink, RpcError, serveApi } from './rpc.js';
import { TapManager } from './taps.js';
import { contentHash, TrustStore } from './trust.js';
import { trustReasons, trustReasonsOf } from './trust-needs.js';
import type { Workspace } from './workspace.js';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export interface HostOptions {
  readonly workspace: Workspace;
  readonly version: string;
  /** The workspace file to open at start (`tributary studio <file>`); it may not exist yet. */
  readonly initialFile?: string | null;
  readonly trustStore?: TrustStore;
  /**
   * Whether a document may come from an absolute path outside the workspace: only where the
   * embedder checks such paths itself (the desktop app's main process lets through only the files
   * the user chose in a dialog). Browser mode: never.
   */
  readonly outsideFiles?: boolean;
  /** Where the Flink jobs submitted from each pipeline are remembered; by default beside the trust store. */
  readonly flinkJobs?: FlinkJobStore;
}

interface Running {
  readonly runId: number;
  readonly job: Job;
  readonly sampler: FigureSampler;
  readonly timer: NodeJS.Timeout;
  readonly console: ConsoleLines;
  /** Null when the run does not checkpoint (not a saved file, sources that cannot be replayed). */
  readonly ckpt: Checkpointing | null;
}

export class RuntimeHost implements HostApi {
  private running: Running | null = null;
  /** A job submitted to a Flink cluster and followed from here; one run at a time, here or there. */
  private flink: FlinkRun | null = null;
  /** Which pipeline the followed Flink job was submitted from (flinkJobs' key); null for an untitled document. */
  private flinkPipeline: string | null = null;
  private flinkStarting = false;
  /**
   * Bumped by every flinkAttach and flinkRun: an attach whose cluster answers after a later open or
   * a new submission must not replace (and stop following) what that one set up.
   */
  private flinkTurn = 0;
  private readonly flinkJobs: FlinkJobStore;
  private nextRunId = 1;
  private readonly taps = new TapManager(METRICS_INTERVAL_MS);
  private readonly trustStore: TrustStore;
  private disposed = false;

  constructor(
    private readonly opts: HostOptions,
    private readonly emit: EventSink,
  ) {
    this.trustStore = opts.trustStore ?? new TrustStore();
    this.flinkJobs = opts.flinkJobs ?? new FlinkJobStore(join(dirname(this.trustStore.file), 'flink-jobs'));
    tuneHeapForStreaming();
  }

  async hello(): Promise<HostInfo> {
    return { version: this.opts.version, root: this.opts.workspace.root, initial: await this.initialDoc() };
  }

  /** Read at every hello, so a reloaded page shows the file as saved, not as it was at launch. */
  private async initialDoc(): Promise<OpenedDoc | null> {
    const path = this.opts.initialFile;
    if (!path) return null;
    try {
      return await this.opts.workspace.readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { origin: { kind: 'file', path }, text: '' };
      throw err;
    }
  }

  async validate(p: CheckedParamsOf<'validate'>): Promise<ResultOf<'validate'>> {
    return { problems: validatePipeline(p.doc).problems };
  }

  async trust(p: CheckedParamsOf<'trust'>): Promise<ResultOf<'trust'>> {
    const text = serializePipeline(p.doc);
    await this.trustStore.trust(text, p.origin.kind === 'file' ? p.origin.path : p.origin.kind === 'template' ? `template:${p.origin.name}` : 'untitled');
    return { hash: contentHash(text) };
  }

  async trustNeeds(p: CheckedParamsOf<'trustNeeds'>): Promise<ResultOf<'trustNeeds'>> {
    return { reasons: await trustReasonsOf(p.doc, await this.folderOf(p.origin), this.trustStore.file) };
  }

  /**
   * The folder a document's relative paths resolve against, and trust is judged by. A client's
   * origin only names a file; the folder is the one this host resolves that name to inside its own
   * workspace, by the rules it opens and saves files with (no `..`, no absolute path, no symbolic
   * link out). So `../../x.json` or `/x.json` cannot make `/` the pipeline's folder (and
   * `/etc/passwd` a file inside it): whatever a client names, a pipeline reaches without trust no
   * more than an untitled document already does, the workspace. (Not a list of the files this
   * host opened: a host restarted after a crash would then refuse to run the document on screen.)
   */
  private async folderOf(origin: Origin): Promise<string> {
    if (origin.kind !== 'file') return this.opts.workspace.baseDir(origin);
    if (isAbsolute(origin.path)) {
      if (this.opts.outsideFiles) return dirname(resolve(origin.path));
      throw new RpcError(`${origin.path}: not a workspace file; documents here come from the workspace (${this.opts.workspace.root})`);
    }
    try {
      return await this.opts.workspace.folderOf(origin.path);
    } catch (err) {
      throw new RpcError(errorMessage(err));
    }
  }

  private busy(): boolean {
    return this.running !== null || this.flink !== null || this.flinkStarting;
  }

  async run(p: CheckedParamsOf<'run'>): Promise<ResultOf<'run'>> {
    if (this.busy()) return { ok: false, reason: 'busy' };
    const { problems, pipeline } = validatePipeline(p.doc);
    if (!pipeline) return { ok: false, reason: 'invalid', problems };
    const base = await this.folderOf(p.origin);
    // Trust is per content: the canonical saved text, as the CLI hashes the file it reads.
    const reasons = await trustReasons(pipeline, base, this.trustStore.file);
    if (reasons.length > 0 && !(await this.trustStore.isTrusted(serializePipeline(p.doc)))) {
      return { ok: false, reason: 'untrusted', reasons };
    }
    if (this.busy() || this.disposed) return { ok: false, reason: 'busy' };
    const console = new ConsoleLines();
    let job: Job;
    try {
      job = planJob(pipeline, { operators: OPERATORS, resolvePath: (f) => (isAbsolute(f) ? f : resolve(base, f)), stdout: console });
    } catch (err) {
      return { ok: false, reason: 'failed', ...describe(err) };
    }
    // A saved file checkpoints beside itself, in the folder `tributary run` uses for it.
    const notes: string[] = [];
    let ckpt: Checkpointing | null = null;
    const file = p.origin.kind === 'file' ? join(base, basename(p.origin.path)) : null;
    if (file !== null && !(await checkpointFolderInside(base, file))) {
      notes.push(`checkpoints off for this run: its checkpoint folder (.tributary/checkpoints) leads out of the pipeline's folder through a symbolic link`);
    } else if (file !== null) {
      try {
        ckpt = await setUpCheckpointing(job, pipeline, file, { fresh: p.fresh }, undefined, (line) => notes.push(line));
      } catch (err) {
        return { ok: false, reason: 'failed', message: cannotResume(err), nodeId: err instanceof UnplacedStateError ? null : describe(err).nodeId };
      }
      if (this.running || this.disposed) {
        await ckpt?.release();
        return { ok: false, reason: 'busy' };
      }
    }
    // Without periodic checkpoints (untitled documents, templates) exactly-once sinks write as records arrive.
    if (!ckpt?.coordinator.periodic) writeWithoutCheckpoints(job.operators.values());
    const runId = this.nextRunId++;
    const sampler = new FigureSampler(job, runId);
    const timer = setInterval(() => this.push(), METRICS_INTERVAL_MS);
    this.running = { runId, job, sampler, timer, console, ckpt };
    this.emit('job', { runId, state: 'running', uptimeMs: 0 });
    ckpt?.coordinator.start();
    job.run().then(
      (outcome) => this.ended(runId, outcome),
      (err: unknown) => this.ended(runId, 'failed', describe(err)),
    );
    const result: RunResult & { ok: true } = { ok: true, runId };
    if (!ckpt) return notes.length > 0 ? { ...result, notes } : result;
    notes.push(...ckpt.notes);
    const resumedFrom = ckpt.resumedFrom === null ? null : await resumedCheckpoint(this.opts.workspace.root, ckpt.resumedFrom);
    return { ...result, checkpoints: { resumedFrom, interval: ckpt.coordinator.interval }, ...(notes.length > 0 ? { notes } : {}) };
  }

  async stop(p: CheckedParamsOf<'stop'>): Promise<ResultOf<'stop'>> {
    const run = this.running;
    if (!run) return { stopping: false };
    if (!p.savepoint || !run.ckpt) {
      run.job.stop();
      return { stopping: true };
    }
    // Flink's stop-with-savepoint: the savepoint holds the sources; the job then stops from there.
    try {
      const path = await run.ckpt.coordinator.savepointAndStop();
      const saved = await resumedCheckpoint(this.opts.workspace.root, path);
      return saved ? { stopping: true, savepoint: saved } : { stopping: true };
    } catch (err) {
      if (err instanceof RunFinishingError) return { stopping: true, finishing: true };
      return { stopping: true, savepointFailed: errorMessage(err) };
    }
  }

  async flinkRun(p: CheckedParamsOf<'flinkRun'>): Promise<ResultOf<'flinkRun'>> {
    if (this.busy()) return { ok: false, reason: 'busy' };
    const { problems, pipeline } = validatePipeline(p.doc);
    if (!pipeline) return { ok: false, reason: 'invalid', problems };
    const checked = checkForFlink(pipeline, p.jobmanager);
    if (!checked.ok) return checked;
    const base = await this.folderOf(p.origin);
    // The same trust as a run here: the job runs the pipeline's code and reads its files.
    const reasons = await trustReasons(pipeline, base, this.trustStore.file);
    if (reasons.length > 0 && !(await this.trustStore.isTrusted(serializePipeline(p.doc)))) return { ok: false, reason: 'untrusted', reasons };
    if (this.busy() || this.disposed) return { ok: false, reason: 'busy' };
    const runId = this.nextRunId++;
    this.flinkStarting = true;
    this.flinkTurn++;
    try {
      const resolvePath = (f: string) => (isAbsolute(f) ? f : resolve(base, f));
      const key = await this.pipelineKey(p.origin);
      const run = await FlinkRun.submit(runId, pipeline, checked.base, resolvePath, p.parallelism, this.emit, (state, jobId) => this.flinkEnded(runId, key, jobId, state));
      // Remembered before it is followed: a page reloaded from now on finds the job.
      if (key !== null) {
        await this.flinkJobs
          .put({ pipeline: key, jobId: run.jobId, cluster: run.base, submittedAt: Date.now(), nodes: run.nodes.map(({ id, type, label }) => ({ id, type, label })), edges: run.edges.map(({ from, fromPort, to, toPort }) => ({ from, fromPort, to, toPort })) })
          .catch((err: unknown) => process.stderr.write(`tributary: cannot remember Flink job ${run.jobId}: ${errorMessage(err)}\n`));
      }
      if (this.disposed) run.dispose();
      else {
        [this.flink, this.flinkPipeline] = [run, key];
        run.follow();
      }
      return { ok: true, runId, jobId: run.jobId, webUi: run.info().webUi };
    } catch (err) {
      return { ok: false, reason: 'failed', message: errorMessage(err), nodeId: /^node '([^']+)'/.exec(errorMessage(err))?.[1] ?? null };
    } finally {
      this.flinkStarting = false;
    }
  }

  /** A followed Flink job ended: a job that is over is forgotten (its end was just said to the editor). */
  private flinkEnded(runId: number, key: string | null, jobId: string, flinkState: string): void {
    if (this.flink?.runId === runId) [this.flink, this.flinkPipeline] = [null, null];
    if (key !== null && TERMINAL.has(flinkState)) void this.flinkJobs.remove(key, jobId).catch(() => {});
  }

  async flinkAttach(p: CheckedParamsOf<'flinkAttach'>): Promise<ResultOf<'flinkAttach'>> {
    const turn = ++this.flinkTurn;
    const key = await this.pipelineKey(p.origin);
    if (key === null || this.flinkStarting || this.disposed) return { status: 'none' };
    // Still followed here (the desktop app's page reloaded; its host process lives on).
    const followed = this.flink;
    if (followed && this.flinkPipeline === key) {
      followed.announce();
      return { status: 'following', runId: followed.runId, job: followed.info(), submittedAt: (await this.flinkJobs.get(key))?.submittedAt ?? Date.now() };
    }
    const record = await this.flinkJobs.get(key);
    if (!record) return { status: 'none' };
    const found = await lookUpJob(record);
    // Another document opened, or a job was submitted, while the cluster was asked (up to 30 s):
    // that one has the say. Without this the slower answer would stop following the newer job, and
    // Cancel would cancel a job the canvas does not show.
    if (turn !== this.flinkTurn) return { status: 'none' };
    const info = (state: string) => ({ jobId: record.jobId, state, webUi: webUiOf(record.cluster, record.jobId, state), cluster: record.cluster });
    if (found.kind !== 'running') {
      // Said once: a job that is over (or gone) is forgotten; a silent cluster is asked again next time.
      if (found.kind !== 'unreachable') await this.flinkJobs.remove(key, record.jobId).catch(() => {});
      return { status: found.kind, job: info(found.state), submittedAt: record.submittedAt, message: found.message };
    }
    if (this.running || this.flinkStarting || this.disposed) {
      return { status: 'busy', job: info(found.job.state), submittedAt: record.submittedAt, message: `the Flink job ${record.jobId} submitted from this pipeline still runs on ${record.cluster}, but a run is going here: open the pipeline again once it has ended to follow the job` };
    }
    // One job followed at a time: the one whose pipeline is on the canvas. Another one goes on
    // running on its cluster and is found again when its pipeline opens.
    this.flink?.dispose();
    const runId = this.nextRunId++;
    [this.flink, this.flinkPipeline] = [FlinkRun.attach(runId, record, found.job, this.emit, (state, jobId) => this.flinkEnded(runId, key, jobId, state)), key];
    return { status: 'following', runId, job: this.flink.info(), submittedAt: record.submittedAt };
  }

  /** The key a pipeline's Flink job is remembered under: the file the host resolves its origin to, or the template; none for an untitled document. */
  private async pipelineKey(origin: Origin): Promise<string | null> {
    if (origin.kind === 'new') return null;
    if (origin.kind === 'template') return `template:${origin.name}`;
    return `file:${join(await this.folderOf(origin), basename(origin.path))}`;
  }

  async flinkStop(p: CheckedParamsOf<'flinkStop'>): Promise<ResultOf<'flinkStop'>> {
    const run = this.flink;
    if (!run) return { stopping: false };
    try {
      return await run.stop(p.savepoint);
    } catch (err) {
      throw new RpcError(errorMessage(err));
    }
  }

  async checkpoints(p: CheckedParamsOf<'checkpoints'>): Promise<ResultOf<'checkpoints'>> {
    if (p.origin.kind !== 'file') return { newest: null };
    const folder = await this.folderOf(p.origin);
    const file = join(folder, basename(p.origin.path));
    if (!(await checkpointFolderInside(folder, file))) return { newest: null }; // a run does not use it either
    return { newest: await newestSaved(this.opts.workspace.root, file) };
  }

  async tapOpen(p: CheckedParamsOf<'tapOpen'>): Promise<ResultOf<'tapOpen'>> {
    const probe = this.probe(edgeKey(p.edge));
    return { tapId: this.taps.open(probe, p.maxPerSecond) };
  }

  async tapClose(p: CheckedParamsOf<'tapClose'>): Promise<ResultOf<'tapClose'>> {
    this.taps.close(p.tapId);
    return {};
  }

  async sampleFields(p: CheckedParamsOf<'sampleFields'>): Promise<ResultOf<'sampleFields'>> {
    const run = this.running;
    if (!run) return { edges: {} };
    // Tap every edge for a moment, note the field names of what crossed it, then let go.
    const opened = [...run.job.edges.keys()].map((e) => ({ key: edgeKey(e), tapId: this.taps.open(this.probe(edgeKey(e)), 20, true) }));
    await new Promise((r) => setTimeout(r, p.timeoutMs));
    const edges: Record<string, string[]> = {};
    for (const { key, tapId } of opened) {
      const fields = new Set(edges[key] ?? []);
      for (const r of this.taps.take(tapId)) {
        if (r.value && typeof r.value === 'object' && !Array.isArray(r.value)) for (const f of Object.keys(r.value)) fields.add(f);
      }
      this.taps.close(tapId);
      edges[key] = [...fields].sort();
    }
    return { edges };
  }

  async listTemplates(): Promise<ResultOf<'listTemplates'>> {
    return this.opts.workspace.listTemplates();
  }

  async openTemplate(p: CheckedParamsOf<'openTemplate'>): Promise<ResultOf<'openTemplate'>> {
    return this.opts.workspace.openTemplate(p.name);
  }

  async listFiles(): Promise<ResultOf<'listFiles'>> {
    return this.opts.workspace.listFiles();
  }

  async readFile(p: CheckedParamsOf<'readFile'>): Promise<ResultOf<'readFile'>> {
    return this.opts.workspace.readFile(p.path);
  }

  async writeFile(p: CheckedParamsOf<'writeFile'>): Promise<ResultOf<'writeFile'>> {
    return { path: await this.opts.workspace.writeFile(p.path, p.text, p.overwrite) };
  }

  async modelInfo(p: CheckedParamsOf<'modelInfo'>): Promise<ResultOf<'modelInfo'>> {
    return modelInfo(p, await this.folderOf(p.origin), this.trustStore);
  }

  /** The client went away: stop its job (sinks still flush). */
  dispose(): void {
    this.disposed = true;
    this.running?.job.stop();
    // A Flink job is the cluster's: it goes on running there (as after `tributary flink run --detach`).
    this.flink?.dispose();
    [this.flink, this.flinkPipeline] = [null, null];
  }

  /** Resolves once the current job (if any) has ended. */
  async idle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  private probe(key: string) {
    const run = this.running;
    if (!run) throw new Error('no pipeline is running');
    for (const [e, probe] of run.job.edges) if (edgeKey(e) === key) return probe;
    throw new Error(`no edge ${key} in the running pipeline`);
  }

  private push(): void {
    const run = this.running;
    if (!run) return;
    const figures = run.sampler.sample();
    this.emit('metrics', run.ckpt ? { ...figures, checkpoints: checkpointFigures(run.ckpt.coordinator.stats) } : figures);
    for (const t of this.taps.flush()) this.emit('tap', t);
    const lines = run.console.take();
    if (lines) this.emit('console', { runId: run.runId, ...lines });
  }

  private async ended(runId: number, state: 'finished' | 'stopped' | 'failed', error?: { message: string; nodeId: string | null }): Promise<void> {
    const run = this.running;
    if (!run || run.runId !== runId) return;
    clearInterval(run.timer);
    if (run.ckpt) {
      // As `tributary run`: a checkpoint being written completes; a finished run has nothing left
      // to resume, so the next one starts afresh; the folder is free for the next run.
      await run.ckpt.coordinator.stop();
      if (state === 'finished') await run.ckpt.store.clear().catch(() => {});
      await run.ckpt.release().catch(() => {});
    }
    this.push(); // the final figures
    this.taps.closeAll();
    this.running = null;
    this.emit('job', { runId, state, uptimeMs: run.sampler.uptimeMs(), ...(error ? { error } : {}) });
  }
}

/**
 * Why a run could not resume, in the editor's terms: its choices are Resume and Start over (it has
 * no `--allow-non-restored-state`, which would drop the state of the nodes named and keep the rest).
 */
function cannotResume(err: unknown): string {
  if (err instanceof UnplacedStateError) {
    const nodes = err.nodes.map((n) => `'${n}'`).join(', ');
    return (
      `cannot resume: the newest checkpoint holds state for ${nodes}, which this pipeline no longer has (or has with another type); ` +
      'Start over runs it from the beginning without the checkpoints (`tributary run --allow-non-restored-state` resumes the rest and drops that state)'
    );
  }
  return `cannot resume: ${describe(err).message} (Start over runs it from the beginning)`;
}

function describe(err: unknown): { message: string; nodeId: string | null } {
  if (err instanceof NodeError) return { message: err.message, nodeId: err.nodeId };
  return { message: errorMessage(err), nodeId: null };
}

/**
 * Serve a new host on a connection: the one call a transport makes (the WebSocket server per
 * socket; the desktop app's utilityProcess per MessagePort). Closing the connection stops its job.
 */
export function serveHost(channel: Channel, opts: HostOptions): RuntimeHost {
  const host = new RuntimeHost(opts, eventSink(channel));
  serveApi(host, channel);
  channel.onClose(() => host.dispose());
  return host;
}

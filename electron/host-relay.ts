// The host contract as one window's page sees it: every call passes through the main process on
// its way to the runtime host, which lets the main process (not the page) decide the few things
// that need the user: trusting a pipeline (a native prompt), and files outside the workspace (only the
// paths the user chose). Everything else goes straight through to the host.
import { basename, isAbsolute } from 'node:path';
import { type CheckedParamsOf, type HostApi, type Origin, type PipelineDoc, type ResultOf } from '../runtime/host/contract.js';
import { restBase } from '../runtime/flink/rest.js';
import { webUiOf } from '../runtime/host/flink-run.js';
import { FLINK_JOB_ID } from '../runtime/host/flink-jobs.js';
import { RpcError } from '../runtime/host/rpc.js';
import { type GrantedPaths, readPipelineFile, writePipelineFile } from './files.js';
import { type HostSupervisor, STOP_GRACE_MS } from '../runtime/host/host-supervisor.js';
import { parsePipelineText, type ReasonsOf, type TrustGate } from './trust-gate.js';

export interface RelayHooks {
  /** A file was written for this window (Save, Save As, Export), or writing one failed. */
  written?(path: string, text: string): void;
  failed?(path: string, err: unknown): void;
}

export function originLabel(origin: Origin): string {
  if (origin.kind === 'file') return basename(origin.path);
  if (origin.kind === 'template') return basename(origin.name);
  return 'Untitled';
}

/** A URL as the page's links spell it, so the same page compares equal; null when not a URL. */
function normalUrl(url: string): string | null {
  try {
    return new URL(url).href;
  } catch {
    return null;
  }
}

export class HostRelay implements HostApi {
  /** The Flink web UI pages (running and completed) of the jobs this window submitted. */
  private readonly flinkPages = new Set<string>();

  constructor(
    private readonly host: HostSupervisor,
    private readonly gate: TrustGate,
    private readonly granted: GrantedPaths,
    private readonly hooks: RelayHooks = {},
    private readonly stopGraceMs = STOP_GRACE_MS,
  ) {}

  hello() {
    return this.host.call('hello', {});
  }

  validate(p: CheckedParamsOf<'validate'>) {
    return this.host.call('validate', p);
  }

  /**
   * The host takes an absolute origin from this relay on trust (it decides the pipeline's folder):
   * only a file the user chose in this window may be one.
   */
  private checkOrigin(origin: Origin): void {
    if (origin.kind === 'file' && isAbsolute(origin.path) && !this.granted.has(origin.path)) {
      throw new RpcError(`${origin.path}: not a file you opened or chose in this window`);
    }
  }

  async run(p: CheckedParamsOf<'run'>): Promise<ResultOf<'run'>> {
    this.checkOrigin(p.origin);
    const res = await this.host.run(p);
    if (res.ok || res.reason !== 'untrusted') return res;
    if (!(await this.gate.approve(originLabel(p.origin), res.reasons))) return res;
    await this.host.call('trust', { doc: p.doc, origin: p.origin });
    return this.host.run(p);
  }

  /** Run on Flink: the same origin check and native trust prompt as a run here. */
  async flinkRun(p: CheckedParamsOf<'flinkRun'>): Promise<ResultOf<'flinkRun'>> {
    this.checkOrigin(p.origin);
    let res = await this.host.call('flinkRun', p);
    if (!res.ok && res.reason === 'untrusted' && (await this.gate.approve(originLabel(p.origin), res.reasons))) {
      await this.host.call('trust', { doc: p.doc, origin: p.origin });
      res = await this.host.call('flinkRun', p);
    }
    // Computed here from the address the user gave and the job id, not taken from the page.
    if (res.ok) this.allowFlinkPages(restBase(p.jobmanager), res.jobId);
    return res;
  }

  /**
   * A document opened: the Flink job submitted from it earlier, followed again. Its pages join
   * the allow-list as computed here from the host's record of the job (the cluster address the
   * user gave when submitting it, which the host keeps in the user's own state folder), never from the page.
   */
  async flinkAttach(p: CheckedParamsOf<'flinkAttach'>): Promise<ResultOf<'flinkAttach'>> {
    this.checkOrigin(p.origin);
    const res = await this.host.call('flinkAttach', p);
    if (res.status !== 'none' && FLINK_JOB_ID.test(res.job.jobId)) this.allowFlinkPages(restBase(res.job.cluster), res.job.jobId);
    return res;
  }

  private allowFlinkPages(base: string, jobId: string): void {
    for (const state of ['RUNNING', 'FINISHED']) this.flinkPages.add(normalUrl(webUiOf(base, jobId, state))!);
  }

  /** Whether the page may open this URL in the browser: only the Flink web UI of a job submitted from this window. */
  opensExternally(url: string): boolean {
    const u = normalUrl(url);
    return u !== null && this.flinkPages.has(u);
  }

  flinkStop(p: CheckedParamsOf<'flinkStop'>) {
    return this.host.call('flinkStop', p);
  }

  async trust(p: CheckedParamsOf<'trust'>): Promise<ResultOf<'trust'>> {
    this.checkOrigin(p.origin);
    const { reasons } = await this.host.call('trustNeeds', p);
    if (!(await this.gate.approve(originLabel(p.origin), reasons ?? []))) {
      throw new RpcError('You chose not to trust this pipeline: it stays in Restricted Mode (you can view and edit it, but not run it).');
    }
    return this.host.call('trust', p);
  }

  async trustNeeds(p: CheckedParamsOf<'trustNeeds'>): Promise<ResultOf<'trustNeeds'>> {
    this.checkOrigin(p.origin);
    return this.host.call('trustNeeds', p);
  }

  stop(p: CheckedParamsOf<'stop'>): Promise<ResultOf<'stop'>> {
    return this.host.stop(this.stopGraceMs, p.savepoint);
  }

  checkpoints(p: CheckedParamsOf<'checkpoints'>) {
    this.checkOrigin(p.origin);
    return this.host.call('checkpoints', p);
  }

  tapOpen(p: CheckedParamsOf<'tapOpen'>) {
    return this.host.call('tapOpen', p);
  }

  tapClose(p: CheckedParamsOf<'tapClose'>) {
    return this.host.call('tapClose', p);
  }

  sampleFields(p: CheckedParamsOf<'sampleFields'>) {
    return this.host.call('sampleFields', p);
  }

  modelInfo(p: CheckedParamsOf<'modelInfo'>) {
    this.checkOrigin(p.origin);
    return this.host.call('modelInfo', p);
  }

  listTemplates() {
    return this.host.call('listTemplates', {});
  }

  async openTemplate(p: CheckedParamsOf<'openTemplate'>): Promise<ResultOf<'openTemplate'>> {
    const opened = await this.host.call('openTemplate', p);
    // Templates ship with the app: their code is ours, not a stranger's.
    await this.gate.opened(opened.text, p.name, this.reasonsOf(opened.origin), this.remember(opened.origin), { shipped: true });
    return opened;
  }

  listFiles() {
    return this.host.call('listFiles', {});
  }

  async readFile(p: CheckedParamsOf<'readFile'>): Promise<ResultOf<'readFile'>> {
    const opened = this.granted.has(p.path) ? await readPipelineFile(this.granted.check(p.path)) : await this.host.call('readFile', p);
    await this.gate.opened(opened.text, originLabel(opened.origin), this.reasonsOf(opened.origin), this.remember(opened.origin));
    return opened;
  }

  async writeFile(p: CheckedParamsOf<'writeFile'>): Promise<ResultOf<'writeFile'>> {
    let path = p.path;
    try {
      if (this.granted.has(p.path)) {
        path = this.granted.check(p.path);
        await writePipelineFile(path, p.text, p.overwrite);
      } else {
        ({ path } = await this.host.call('writeFile', p));
      }
    } catch (err) {
      this.hooks.failed?.(path, err);
      throw err;
    }
    // This machine wrote it: reopening it later must not ask (unless it is restricted content).
    const doc = parsePipelineText(p.text);
    if (this.gate.trusted && doc && ((await this.reasonsOf({ kind: 'file', path })(doc))?.length ?? 0) > 0) await this.remember({ kind: 'file', path })(doc);
    this.hooks.written?.(path, p.text);
    return { path };
  }

  /** What in a document from this origin needs trust, as the host sees it. */
  reasonsOf(origin: Origin): ReasonsOf {
    return async (doc) => (await this.host.call('trustNeeds', { doc, origin })).reasons;
  }

  /** Records a document as trusted, through the host (the trust store's one writer in the app). */
  remember(origin: Origin): (doc: PipelineDoc) => Promise<void> {
    return async (doc) => {
      await this.host.call('trust', { doc, origin });
    };
  }
}

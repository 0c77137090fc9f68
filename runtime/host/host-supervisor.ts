// Keeps one editor's runtime host running apart from whatever serves the editor (a utilityProcess
// per window in the desktop app, a worker thread per connection in browser mode), so a busy,
// stuck or crashing pipeline never freezes or takes down the window or the server. It talks to the
// host through the host contract over a MessagePort. When the host dies, the running job is
// reported as failed, the editor is told, and a fresh host starts; the editor's document lives in
// the page and is untouched. A host that keeps crashing is not restarted in a loop: it starts again
// on next use.
import { type CheckedParamsOf, EVENT_NAMES, type EventName, type HostEvents, type MethodName, type ParamsOf, type ResultOf } from './contract.js';
import type { HostStatus } from './contract-desktop.js';
import { type PortChannel, type PortLike, portChannel } from './port-channel.js';
import { createClient, type HostClient } from './rpc.js';

/** How long Stop (or closing the editor) may take before the host is ended: a pipeline stuck in its own code. */
export const STOP_GRACE_MS = 5000;

/**
 * How long Stop with savepoint may wait for the savepoint before the host is ended all the same. Flink
 * bounds a savepoint by the checkpoint timeout (execution.checkpointing.timeout, 10 min); a person
 * waits on this one, and a pipeline stuck in its own code never reaches the savepoint at all.
 */
export const SAVEPOINT_TIMEOUT_MS = 120_000;

/** A started host process: the main process's end of its MessagePort, and its lifecycle. */
export interface HostProcess {
  readonly port: PortLike;
  onExit(fn: (code: number) => void): void;
  kill(): void;
}

export type LaunchHost = () => HostProcess;

export interface SupervisorSinks {
  /** Host events, to forward to the page. */
  event<E extends EventName>(event: E, data: HostEvents[E]): void;
  status(status: HostStatus): void;
}

export interface SupervisorOptions {
  /** More crashes than this within `crashWindowMs` stop the automatic restarts. */
  readonly maxCrashes?: number;
  readonly crashWindowMs?: number;
  readonly restartDelayMs?: number;
  readonly now?: () => number;
  /** Upper bound on Stop with savepoint's savepoint (default SAVEPOINT_TIMEOUT_MS). */
  readonly savepointTimeoutMs?: number;
}

interface Live {
  readonly proc: HostProcess;
  readonly channel: PortChannel;
  readonly client: HostClient;
  /** Why we are ending it ourselves, if we are. */
  ending: string | null;
  readonly exited: Promise<void>;
}

export class HostSupervisor {
  private live: Live | null = null;
  private crashes: number[] = [];
  private running: { runId: number; startedAt: number } | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private stopWatch: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private readonly maxCrashes: number;
  private readonly crashWindowMs: number;
  private readonly restartDelayMs: number;
  private readonly now: () => number;
  private readonly savepointTimeoutMs: number;

  constructor(
    private readonly launch: LaunchHost,
    private readonly sinks: SupervisorSinks,
    opts: SupervisorOptions = {},
  ) {
    this.maxCrashes = opts.maxCrashes ?? 3;
    this.crashWindowMs = opts.crashWindowMs ?? 60_000;
    this.restartDelayMs = opts.restartDelayMs ?? 300;
    this.now = opts.now ?? Date.now;
    this.savepointTimeoutMs = opts.savepointTimeoutMs ?? SAVEPOINT_TIMEOUT_MS;
  }

  /** Calls the host, starting it first if it is not running. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new Error('the editor is closing'));
    return this.ensure().client.call(method, params);
  }

  /** How many times the host process has ended, and why it last did (what the page was told). */
  exits = 0;
  lastExit: string | null = null;

  /** The running job's id, as far as the host's events tell, or null. */
  get runningJob(): number | null {
    return this.running?.runId ?? null;
  }

  /** Ends the host process (e.g. a pipeline that does not stop) and starts a new one. */
  restart(reason: string): void {
    const live = this.live;
    if (!live) return;
    live.ending = reason;
    live.proc.kill();
  }

  /**
   * Starts a run. A pipeline can end its host before the answer to `run` leaves it (the job's
   * events with it): the run then failed, and says why, rather than leaving the editor waiting.
   */
  async run(p: CheckedParamsOf<'run'>): Promise<ResultOf<'run'>> {
    const exits = this.exits;
    try {
      return await this.call('run', p);
    } catch (err) {
      if (this.exits === exits || this.lastExit === null) throw err;
      return { ok: false, reason: 'failed', message: this.lastExit, nodeId: null };
    }
  }

  /**
   * Stops the running job. Sources stop between batches; code stuck in a loop never gets there (nor
   * does this call's answer, the host being busy): after `graceMs` the host is ended and restarted,
   * the job reported failed, and the editor stays responsive.
   *
   * With `savepoint`, the grace period starts once the savepoint is written (the call returns
   * then): a large state may take longer to save than a stuck pipeline is given to stop. The
   * savepoint itself is bounded too (`savepointTimeoutMs`), so a pipeline stuck in its own code, or a
   * savepoint that hangs, cannot keep Stop waiting for ever.
   */
  async stop(graceMs = STOP_GRACE_MS, savepoint = false): Promise<ResultOf<'stop'>> {
    const job = this.runningJob;
    let ended = false;
    const watch = (ms: number, why: string) => {
      if (job === null) return;
      if (this.stopWatch) clearTimeout(this.stopWatch);
      this.stopWatch = setTimeout(() => {
        this.stopWatch = null;
        if (this.runningJob !== job) return;
        ended = true;
        this.restart(why);
      }, ms);
    };
    const stopping = () => watch(graceMs, `The pipeline did not stop within ${graceMs / 1000} s`);
    if (savepoint) watch(this.savepointTimeoutMs, `The savepoint was not taken within ${this.savepointTimeoutMs / 1000} s, so the pipeline was ended without it (the last checkpoint stays)`);
    else stopping();
    // Ending the host drops this call; the job event already says how it stopped.
    return this.call('stop', { savepoint }).then(
      (r) => {
        if (savepoint) stopping();
        return r;
      },
      (err: unknown) => {
        if (ended) return { stopping: true };
        throw err;
      },
    );
  }

  /**
   * The editor is gone: end the host for good. Closing its port stops its job, whose sinks flush
   * before the host ends itself; one that does not end within `graceMs` is ended. Resolves once it has.
   */
  dispose(graceMs = STOP_GRACE_MS): Promise<void> {
    this.disposed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stopWatch) clearTimeout(this.stopWatch);
    const live = this.live;
    this.live = null;
    if (!live) return Promise.resolve();
    live.ending = 'closed';
    live.channel.close();
    const timer = setTimeout(() => live.proc.kill(), graceMs);
    return live.exited.then(() => clearTimeout(timer));
  }

  private ensure(): Live {
    if (this.live) return this.live;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const proc = this.launch();
    const channel = portChannel(proc.port);
    const client = createClient(channel);
    let exited!: () => void;
    const live: Live = { proc, channel, client, ending: null, exited: new Promise((r) => (exited = r)) };
    for (const name of EVENT_NAMES) client.on(name, (data) => this.onEvent(name, data));
    proc.onExit((code) => {
      exited();
      this.onExit(live, code);
    });
    this.live = live;
    this.sinks.status({ state: 'ready' });
    return live;
  }

  private onEvent<E extends EventName>(name: E, data: HostEvents[E]): void {
    if (name === 'job') {
      const job = data as HostEvents['job'];
      this.running = job.state === 'running' ? { runId: job.runId, startedAt: this.now() } : null;
    }
    this.sinks.event(name, data);
  }

  private onExit(live: Live, code: number): void {
    if (this.live !== live) return; // disposed, or already replaced
    this.live = null;
    live.channel.close(); // pending calls reject: "the connection to the runtime host was lost"
    if (this.disposed) return;
    const intended = live.ending !== null;
    const message = intended
      ? `${live.ending}; the runtime was restarted`
      : `The runtime stopped unexpectedly (exit code ${code}) and was restarted. Your pipeline in the editor is unchanged.`;
    this.exits++;
    this.lastExit = message;
    const run = this.running;
    this.running = null;
    if (run) {
      this.sinks.event('job', { runId: run.runId, state: 'failed', uptimeMs: this.now() - run.startedAt, error: { message, nodeId: null } });
    }
    const now = this.now();
    if (!intended) this.crashes = [...this.crashes.filter((t) => now - t < this.crashWindowMs), now];
    const restarting = this.crashes.length <= this.maxCrashes;
    this.sinks.status({
      state: 'crashed',
      message: restarting ? message : `The runtime crashed ${this.crashes.length} times in a minute; it starts again when you next run a pipeline.`,
      restarting,
    });
    if (restarting) {
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (!this.disposed && !this.live) this.ensure();
      }, this.restartDelayMs);
    }
  }
}

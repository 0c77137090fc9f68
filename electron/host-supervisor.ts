// Keeps one window's runtime host running in its own process (a utilityProcess in the app), so a
// busy or crashing pipeline never freezes or takes down the window. The main process talks to it
// through the host contract over a MessagePort. When the process dies, the running job is reported
// as failed, the page is told, and a fresh host starts; the editor's document lives in the page and
// is untouched. A host that keeps crashing is not restarted in a loop: it starts again on next use.
import { EVENT_NAMES, type EventName, type HostEvents, type MethodName, type ParamsOf, type ResultOf } from '../runtime/host/contract.js';
import type { HostStatus } from '../runtime/host/contract-desktop.js';
import { type PortChannel, type PortLike, portChannel } from '../runtime/host/port-channel.js';
import { createClient, type HostClient } from '../runtime/host/rpc.js';

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
}

interface Live {
  readonly proc: HostProcess;
  readonly channel: PortChannel;
  readonly client: HostClient;
  /** Why we are ending it ourselves, if we are. */
  ending: string | null;
}

export class HostSupervisor {
  private live: Live | null = null;
  private crashes: number[] = [];
  private running: { runId: number; startedAt: number } | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private readonly maxCrashes: number;
  private readonly crashWindowMs: number;
  private readonly restartDelayMs: number;
  private readonly now: () => number;

  constructor(
    private readonly launch: LaunchHost,
    private readonly sinks: SupervisorSinks,
    opts: SupervisorOptions = {},
  ) {
    this.maxCrashes = opts.maxCrashes ?? 3;
    this.crashWindowMs = opts.crashWindowMs ?? 60_000;
    this.restartDelayMs = opts.restartDelayMs ?? 300;
    this.now = opts.now ?? Date.now;
  }

  /** Calls the host, starting it first if it is not running. */
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new Error('the window is closing'));
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

  /** The window closed: end the host for good. */
  dispose(): void {
    this.disposed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const live = this.live;
    this.live = null;
    if (live) {
      live.ending = 'closed';
      live.channel.close();
      live.proc.kill();
    }
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
    const live: Live = { proc, channel, client, ending: null };
    for (const name of EVENT_NAMES) client.on(name, (data) => this.onEvent(name, data));
    proc.onExit((code) => this.onExit(live, code));
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

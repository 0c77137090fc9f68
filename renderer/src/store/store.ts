// One editor store, built from slices (zustand's slices pattern), usable without React: the
// components subscribe with selectors; tests drive it directly.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostClient } from '../../../runtime/host/rpc.js';
import { REGISTRY, type Registry } from '../../../runtime/nodes/registry.js';
import { checkpointSlice } from './checkpoint-slice.js';
import { docSlice } from './doc-slice.js';
import { fileSlice } from './file-slice.js';
import { flinkSlice } from './flink-slice.js';
import { runSlice } from './run-slice.js';
import { tapSlice } from './tap-slice.js';
import type { Deps, EditorState } from './types.js';

export type EditorStore = StoreApi<EditorState>;
export type { EditorState };

export interface StoreOptions {
  readonly registry?: Registry;
  readonly host?: HostClient | null;
  readonly now?: () => number;
  readonly validateDelayMs?: number;
}

export function createEditorStore(opts: StoreOptions = {}): EditorStore {
  const deps: Deps = { registry: opts.registry ?? REGISTRY, host: opts.host ?? null, now: opts.now ?? (() => Date.now()), validateDelayMs: opts.validateDelayMs };
  const store = createStore<EditorState>()((set, get) => ({
    ...docSlice(set, get, deps),
    ...runSlice(set, get, deps),
    ...tapSlice(set, get, deps),
    ...fileSlice(set, get, deps),
    ...checkpointSlice(set, get, deps),
    ...flinkSlice(set, get, deps),
  }));
  if (deps.host) attachHost(store, deps.host);
  return store;
}

/** Route the host's events into the store. */
function attachHost(store: EditorStore, host: HostClient): void {
  host.on('metrics', (m) => store.getState().onMetrics(m));
  host.on('job', (j) => store.getState().onJob(j));
  host.on('job', (j) => store.getState().onFlinkJob(j));
  host.on('tap', (t) => store.getState().onTap(t));
  host.on('console', (c) => store.getState().onConsole(c));
  host.on('metrics', (m) => store.getState().onCheckpointMetrics(m));
  // A saved file that has checkpoints is offered for resuming when it opens (not when it is saved).
  store.subscribe((s, prev) => {
    if (s.opened !== prev.opened) {
      void s.checkResume();
      void s.reattachFlink();
    }
  });
  host.onClose((reason) =>
    store.getState().notify(`${reason ? `the runtime host closed the connection: ${reason}` : 'lost the connection to the runtime host: reload the page to reconnect'} (unsaved work: export it first)`, 'error'),
  );
}

// The store's shape and what its slices are built with.
import type { StoreApi } from 'zustand/vanilla';
import type { HostClient } from '../../../runtime/host/rpc.js';
import type { Registry } from '../../../runtime/nodes/registry.js';
import type { CheckpointSlice } from './checkpoint-slice.js';
import type { DocSlice } from './doc-slice.js';
import type { FileSlice } from './file-slice.js';
import type { FlinkSlice } from './flink-slice.js';
import type { RunSlice } from './run-slice.js';
import type { TapSlice } from './tap-slice.js';

export type EditorState = DocSlice & RunSlice & TapSlice & FileSlice & CheckpointSlice & FlinkSlice;
export type Set = StoreApi<EditorState>['setState'];
export type Get = StoreApi<EditorState>['getState'];

export interface Deps {
  readonly registry: Registry;
  /** The runtime host; null until connected (the editor still edits and validates offline). */
  host: HostClient | null;
  readonly now: () => number;
  /** Delay before re-validating after an edit (0: at once, as tests want). */
  readonly validateDelayMs?: number;
}

// What a node's operator factory receives and returns. Stateless nodes return a stage, which the
// planner fuses with its neighbours; everything else returns an operator.
import type { Stage } from './chain.js';
import type { NodeMetrics } from './metrics.js';
import type { JobControl, Operator } from './operator.js';

/** Where console output goes: process.stdout in the CLI, a buffer in tests. */
export interface TextOut {
  write(chunk: string): boolean;
  once(event: 'drain' | 'error' | 'close', fn: () => void): unknown;
}

export interface BuildContext {
  readonly nodeId: string;
  readonly type: string;
  readonly job: JobControl;
  readonly metrics: NodeMetrics;
  /** Whether the node's input is keyed (an upstream keyBy). */
  readonly inputKeyed: boolean;
  /** Nodes with several named inputs (joins, broadcast, connect): whether each input port is keyed. */
  readonly inputPortsKeyed?: ReadonlyMap<string, boolean>;
  /** The pipeline file's absolute path, when the run has one (ids that must be unique per pipeline derive from it). */
  readonly pipelinePath?: string;
  /** A line for the run's log (stderr in the CLI): something the user must know that is not a failure. */
  readonly warn?: (message: string) => void;
  /** Resolve a path param against the pipeline file's folder. */
  resolvePath(p: string): string;
  readonly stdout: TextOut;
}

export type Built = { readonly stage: Omit<Stage, 'nodeId' | 'metrics'> } | { readonly operator: Operator };

export type OperatorFactory<P = any> = (ctx: BuildContext, params: P) => Built;

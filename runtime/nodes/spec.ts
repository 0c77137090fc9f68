// The one declaration of a node type. Validation, the JSON Schema, the docs page, the editor's
// palette and forms, and the operator factory's typed params all derive from a NodeSpec.
// Isomorphic: the renderer imports specs, so nothing here may touch Node APIs.
import type { z } from 'zod';
import type { FieldContext, FieldSet } from '../format/fields.js';

export interface PortSpec {
  readonly name: string;
  readonly doc: string;
  /** Input ports only: more than one edge may arrive (e.g. union). */
  readonly multiple?: boolean;
  /**
   * Input ports of nodes with several named inputs (joins, broadcast, connect): whether this
   * input must come from a keyBy. Such nodes declare keyed-ness per port, not with `keyed`.
   */
  readonly keyed?: 'required' | 'optional' | 'none';
}

export interface FieldDoc {
  readonly name: string;
  readonly type: string;
  readonly doc: string;
}

/** Palette groups: Sources, Transform, Keyed & time, Patterns, Models, Sinks. */
export type NodeCategory = 'source' | 'transform' | 'keyed' | 'pattern' | 'model' | 'sink';

export interface NodeSpec<P extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly title: string;
  readonly category: NodeCategory;
  /** One paragraph, Markdown. */
  readonly doc: string;
  readonly params: P;
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /** Whether the node needs a keyed input: `required` rejects a pipeline without an upstream keyBy. */
  readonly keyed: 'required' | 'optional' | 'none';
  /** What the node does to its output's key: keep the input's, drop it, or set a new one (keyBy). */
  readonly keyOutput: 'preserve' | 'clear' | 'set';
  /** Whether the Flink exporter can translate this node. */
  readonly flinkExport: boolean;
  /** Fields of the records this node emits, when it defines them (sources). */
  readonly fields?: readonly FieldDoc[];
  /**
   * The fields this node emits on an output port, from its params and its input's fields
   * (runtime/format/fields.ts): how field checks and completion follow the graph. Unset: the
   * `fields` above on the main output, else unknown (no checks downstream). Side ports `errors`
   * and `late` are handled for every node.
   */
  readonly outputFields?: (ctx: FieldContext) => FieldSet;
  /** Params for a freshly dropped node and the docs example. */
  readonly example: z.input<P>;
}

export type ParamsOf<S extends NodeSpec> = z.output<S['params']>;

/** Identity with inference: keeps each spec's params type precise. */
export function defineNode<P extends z.ZodType>(spec: NodeSpec<P>): NodeSpec<P> {
  return spec;
}

export const ERRORS_PORT: PortSpec = {
  name: 'errors',
  doc: 'Records this node could not process, as `{node, error, record}`. Without an edge from this port, the first such record fails the run.',
};

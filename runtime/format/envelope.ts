// The pipeline document around the nodes (pipeline-format.md, "Envelope"). Node params are
// checked separately against each node's own spec, so one bad node never hides another's problems.
import { z } from 'zod';
import { duration } from './params.js';

export const FORMAT_PREFIX = 'tributary.pipeline/v';
export const CURRENT_VERSION = 1;
export const CURRENT_FORMAT = `${FORMAT_PREFIX}${CURRENT_VERSION}`;

export const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

export const positionSchema = z.strictObject({ x: z.number(), y: z.number() }).meta({ description: 'Where the editor draws the node; never changes behaviour.' });

export const nodeEnvelopeSchema = z.strictObject({
  id: z.string().regex(NODE_ID, 'node id must start with a letter and contain only letters, digits, _ and -').meta({ description: 'Unique within the pipeline.' }),
  type: z.string().meta({ description: 'Node type, e.g. `filter`.' }),
  label: z.string().optional().meta({ description: 'Name shown on the canvas.' }),
  position: positionSchema.optional(),
  params: z.record(z.string(), z.unknown()).optional().meta({ description: 'The node type\'s params.' }),
});

export const edgeSchema = z.strictObject({
  from: z.string().meta({ description: 'Upstream node id.' }),
  fromPort: z.string().default('out').meta({ description: 'Output port of `from`.' }),
  to: z.string().meta({ description: 'Downstream node id.' }),
  toPort: z.string().default('in').meta({ description: 'Input port of `to`.' }),
});

export const settingsSchema = z.strictObject({
  parallelism: z.number().int().positive().default(1).meta({ description: 'Parallelism for the Flink export, and for the embedded runtime: keyed window, process and cep nodes run as this many instances in worker threads, records routed by key group as in Flink; sources, stateless nodes, sinks and two-input nodes run once, and so do windows, cep nodes and process nodes whose timers emit when they feed another stateful node; a process node that emits only for records may, its instances\' outputs being merged in input order, so the node downstream sees what parallelism 1 gives it. Parallel runs checkpoint as parallelism 1 does (each instance snapshots its keys behind an aligned barrier) and restore at any parallelism with the same number of key groups (128 up to parallelism 85), keyed state and timers redistributed by key group as in Flink. Only the fields a window or a process node\'s code reads cross threads (a window\'s as columns, the rest packed, strings named by id once they have crossed); a JSON Lines file source feeding such nodes through a keyBy decodes in worker threads keeping just those fields, so the job\'s thread no longer parses. Keyed window from a file, 100k users, on 2 idle cores: 0.36M events/s at parallelism 1, 0.66M/s at 2 (1.83×); on cores busy with other work the hand-overs between threads can make it slower than one thread, and so they do where a record costs less than its hand-over: session-recommendations runs 65–77k events/s at parallelism 2 against 0.12–0.14M/s at 1 on the same 2 cores (docs/architecture.md has the figures). Cep nodes, and process nodes whose code uses the record whole, get whole records, packed with a per-channel dictionary of strings (else by structured clone, about a microsecond each).' }),
  checkpoint: z.strictObject({ interval: duration('Time between checkpoints (`tributary run`; default 10 s when every source is replayable, see Checkpoints).', { timer: true }) }).optional(),
});

export const envelopeSchema = z.strictObject({
  format: z.string().meta({ description: `Format and version: \`${CURRENT_FORMAT}\`.` }),
  name: z.string().min(1).optional().meta({ description: 'Pipeline name.' }),
  description: z.string().optional().meta({ description: 'Free text.' }),
  settings: settingsSchema.default({ parallelism: 1 }),
  nodes: z.array(nodeEnvelopeSchema),
  edges: z.array(edgeSchema).default([]),
});

export type Envelope = z.output<typeof envelopeSchema>;
export type EdgeDoc = z.output<typeof edgeSchema>;
export type Settings = z.output<typeof settingsSchema>;

// Messages between the decode pool and its workers.
import type { Chunk } from '../files/readers.js';
import type { ProjectedChunk, Projection } from './projected.js';

export interface DecodeRequest {
  readonly id: number;
  /** JSON Lines bytes (transferred, not copied). */
  readonly bytes: Uint8Array;
  readonly firstLine: number;
  /** Keep only these fields (as columns); null: whole records. */
  readonly project: Projection | null;
}

export type DecodeReply = { readonly id: number; readonly chunk: Chunk } | { readonly id: number; readonly projected: ProjectedChunk } | { readonly id: number; readonly error: string };

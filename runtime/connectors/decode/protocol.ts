// Messages between the decode pool and its workers.
import type { Chunk } from '../files/readers.js';

export interface DecodeRequest {
  readonly id: number;
  /** JSON Lines bytes (transferred, not copied). */
  readonly bytes: Uint8Array;
  readonly firstLine: number;
}

export type DecodeReply = { readonly id: number; readonly chunk: Chunk } | { readonly id: number; readonly error: string };

// Input a parallel node held at a checkpoint: what reached it after it had sent its instances the
// barrier and before the checkpoint's synchronous snapshot (a processing-time timer upstream firing
// while the pipeline drains). As Flink keeps an unaligned barrier's in-flight channel state, the
// checkpoint keeps these with the node and a restore hands them to it again, before any new input,
// so they are neither lost (no snapshot upstream holds them any more) nor doubled.
import type { Batch } from './batch.js';
import type { Operator } from './operator.js';

export type HeldInput =
  /** Records with the watermark before each, as the exchange ships them. */
  | { readonly t: 'batch'; readonly input: number; readonly recs: readonly unknown[]; readonly ts: readonly number[]; readonly keys: readonly unknown[] | null; readonly wm: readonly number[]; readonly wmEnd: number }
  | { readonly t: 'idle'; readonly input: number; readonly idle: boolean }
  | { readonly t: 'end'; readonly input: number };

/**
 * Hand held input to an operator in its order (any parallelism: a parallel node routes it by key
 * group again). `goOn` false: the job is stopping where a checkpoint holds this input, so only the
 * ends of inputs are handed on (what is downstream must still end for the run to end).
 */
export function deliverHeld(op: Operator, held: readonly HeldInput[], goOn: boolean): void {
  for (const h of held) {
    if (!goOn && h.t !== 'end') continue;
    if (h.t === 'batch') op.receive(h.input, { recs: h.recs, ts: h.ts, keys: h.keys, wm: h.wm, wmEnd: h.wmEnd } satisfies Batch);
    else if (h.t === 'idle') op.inputIdle(h.input, h.idle);
    else op.inputEnded(h.input);
  }
}

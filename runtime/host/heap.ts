// V8 tuning for a streaming process. Records are short-lived by design (a batch is dead once the
// sinks have it), but V8's allocation-site pretenuring sometimes decides, after one unlucky
// scavenge, that a hot allocation site (a map's output objects) should go straight to old space;
// every record then costs a major GC, and throughput drops 3× with 3× the memory, on about one run
// in five. Measured with `npm run bench`; switching the heuristic off removes the slow mode.
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneHeapForStreaming(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-allocation-site-pretenuring');
}

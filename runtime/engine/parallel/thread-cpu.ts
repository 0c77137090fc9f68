// CPU time of the calling thread, from Linux's /proc/thread-self/stat (utime + stime, in clock
// ticks of 10 ms): what each parallel instance costs, apart from the process's total, which is all
// process.cpuUsage() gives a worker thread in this Node. Null where /proc is not there.
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

/** `stat` is the file to read (the calling thread's; other paths for tests). */
export function threadCpuMs(stat = '/proc/thread-self/stat'): number | null {
  // Elsewhere there is no such file; not trying spares an exception every sample.
  if (process.platform !== 'linux') return null;
  try {
    const text = readFileSync(stat, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing paren).
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
    // A /proc of another layout (an emulation, a future kernel) gives no figure rather than NaN.
    return Number.isFinite(ms) && ms >= 0 ? ms : null;
  } catch {
    return null;
  }
}

/** threadCpuMs read at most every `everyMs` (a file read per message would cost more than it tells). */
export function cachedThreadCpu(everyMs: number): () => number | null {
  let at = -Infinity;
  let last: number | null = null;
  return () => {
    const now = performance.now();
    if (now - at >= everyMs) {
      at = now;
      last = threadCpuMs();
    }
    return last;
  };
}

// CPU time of the calling thread, from Linux's /proc/thread-self/stat (utime + stime, in clock
// ticks of 10 ms): what each parallel instance costs, apart from the process's total, which is all
// process.cpuUsage() gives a worker thread in this Node. Null where /proc is not there.
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing paren).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
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

// What `ctx.emit` and `ctx.timers` do in every node that runs keyed code (process, broadcast,
// connect): one place for the checks, so the three answer a bad call with the same words.
import type { TimeDomain, TimerService } from '../../engine/state/timers.js';
import type { Key } from '../../engine/state/types.js';

/** Throws unless `record` can leave as a record (a plain object). */
export function checkEmitted(record: unknown): void {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new Error(`ctx.emit needs an object, not ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}`);
  }
}

/** Registers (or deletes) `key`'s timer at `ts`, which code may have computed badly. */
export function setTimer(t: TimerService, key: Key, domain: TimeDomain, del: boolean, ts: unknown): void {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new Error(`a timer needs a finite timestamp in epoch ms, not ${JSON.stringify(ts) ?? String(ts)}`);
  if (domain === 'event') {
    if (del) t.deleteEventTime(key, ts);
    else t.registerEventTime(key, ts);
  } else if (del) t.deleteProcessingTime(key, ts);
  else t.registerProcessingTime(key, ts);
}

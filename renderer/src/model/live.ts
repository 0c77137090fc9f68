// Templates play continuously in the editor. The template files are bounded (a `count`, often
// unthrottled) so the tests and `tributary run` finish quickly and give the same output every time;
// run from the editor, they would be over in under two seconds and leave frozen figures. So when
// the document came from the template gallery, Run sends a copy in which every generator is
// endless and throttled to a rate a person can watch, with event time moving as fast, relative to
// the records, as in the bounded run (so windows and patterns fire as the template intends). The
// document itself (what Save writes) keeps the template's bounded params.
import type { Origin } from '../../../runtime/host/contract.js';
import type { Doc } from './doc.js';

/** Events per second of wall-clock time a template's unthrottled generator plays at. */
export const LIVE_RATE = 500;
/** Throttled generators faster than this are slowed to it (more is a blur, not a show). */
export const LIVE_MAX_RATE = 5000;
/** The generator's own default for event time when unthrottled (see source.generator's docs). */
const UNTHROTTLED_EVENT_TIME_RATE = 1000;

/** Whether Run plays this document live rather than as written. */
export function playsLive(origin: Origin): boolean {
  return origin.kind === 'template';
}

/** The document as the editor runs it: generators endless and at a watchable rate. */
export function liveDoc(doc: Doc): Doc {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.type !== 'source.generator') return n;
    const p = { ...(n.params ?? {}) } as Record<string, unknown>;
    const rate = typeof p.rate === 'number' ? p.rate : 1000;
    if (p.count === undefined && rate > 0 && rate <= LIVE_MAX_RATE) return n;
    changed = true;
    delete p.count;
    // Keep event time's pace per record: unset, it followed `rate` (or 1000/s when unthrottled).
    if (p.eventTimeRate === undefined) p.eventTimeRate = rate > 0 ? rate : UNTHROTTLED_EVENT_TIME_RATE;
    p.rate = rate > 0 ? Math.min(rate, LIVE_MAX_RATE) : LIVE_RATE;
    return { ...n, params: p };
  });
  return changed ? { ...doc, nodes } : doc;
}

// After-match skip strategies: Flink's AfterMatchSkipStrategy and its subclasses. After a match is
// emitted, partial (and completed, waiting) matches that started too early are discarded; the
// strategy says where "too early" ends (its pruning event) and whether that event itself counts.
import type { Heap } from '../../engine/heap.js';
import { type EventNode, eventBefore, type Partial } from './shared-buffer.js';

export type SkipStrategyName = 'noSkip' | 'skipToNext' | 'skipPastLastEvent' | 'skipToFirst' | 'skipToLast';

export class SkipStrategy {
  /** Every strategy but noSkip: completed matches wait for earlier partial matches (NFA.processMatchesAccordingToSkipStrategy). */
  readonly isSkip: boolean;

  constructor(
    readonly name: SkipStrategyName,
    /** skipToFirst / skipToLast: the step index, or -1. */
    private readonly step: number,
  ) {
    this.isSkip = name !== 'noSkip';
  }

  /** Discard from `queue` what the match `m` rules out (AfterMatchSkipStrategy.prune). */
  prune(queue: Heap<Partial>, m: Partial): void {
    const pruning = this.pruningEvent(m.node);
    if (pruning === null) return;
    const { ts, seq } = pruning;
    // SkipRelativeToWholeMatchStrategy prunes starts ≤ the pruning event; SkipToElementStrategy starts < it.
    const inclusive = this.name === 'skipToNext' || this.name === 'skipPastLastEvent';
    queue.removeWhere((p) => p.startSeq !== Infinity && (eventBefore(p.startTs, p.startSeq, ts, seq) || (inclusive && p.startTs === ts && p.startSeq === seq)));
  }

  /** getPruningId: null when nothing is pruned (noSkip, or the step took no event: Flink then skips nothing). */
  private pruningEvent(last: EventNode | null): EventNode | null {
    switch (this.name) {
      case 'noSkip':
        return null;
      case 'skipPastLastEvent':
        return last;
      case 'skipToNext': {
        let first = last;
        for (let n = last; n !== null; n = n.prev) first = n;
        return first;
      }
      case 'skipToFirst': {
        let found: EventNode | null = null;
        for (let n = last; n !== null; n = n.prev) if (n.step === this.step) found = n;
        return found;
      }
      case 'skipToLast': {
        for (let n = last; n !== null; n = n.prev) if (n.step === this.step) return n;
        return null;
      }
    }
  }
}

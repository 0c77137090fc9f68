package dev.tributary.flink.window;

import dev.tributary.flink.window.sketch.ApproxTopK;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One window's `approxTopK` state. Merging two sketches is not commutative (candidates are
 * re-offered in order, the heap breaks ties by position), and Flink merges session windows' states
 * in its own order (AbstractHeapMergingState.mergeNamespaces: the sources among themselves, then
 * into a state window MergingWindowSet picks from a HashSet). The embedded runtime folds the
 * touched sessions in start order into the earliest (runtime/nodes/window/sessions.ts). So merges
 * are only noted here and carried out in that order before the next record is added; a session's
 * start is the earliest timestamp added to it.
 */
public final class TopKParts implements Serializable {
  private static final long serialVersionUID = 1L;

  public long start = Long.MAX_VALUE;
  /** null until a non-null value arrives (the embedded cell is undefined until then). */
  public ApproxTopK top;
  /** Merged-in states not folded yet. */
  public List<TopKParts> pending;

  public void absorb(TopKParts other) {
    if (pending == null) pending = new ArrayList<>();
    pending.add(other);
  }

  private void flatten(List<TopKParts> into) {
    into.add(this);
    if (pending != null) for (TopKParts p : pending) p.flatten(into);
  }

  /** Fold pending merges into one sketch: earliest start first, the others into it by start (sessions.ts, Hashed.merge). */
  public void settle() {
    if (pending == null) return;
    List<TopKParts> all = new ArrayList<>();
    flatten(all);
    all.sort((a, b) -> Long.compare(a.start, b.start));
    ApproxTopK into = null;
    long s = Long.MAX_VALUE;
    for (TopKParts p : all) {
      s = Math.min(s, p.start);
      if (p.top == null) continue;
      if (into == null) into = p.top;
      else into.merge(p.top);
    }
    top = into;
    start = s;
    pending = null;
  }
}

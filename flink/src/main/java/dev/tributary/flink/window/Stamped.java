package dev.tributary.flink.window;

import dev.tributary.flink.Rec;

/**
 * A record on its way into a session window with an `approxTopK`, carrying its timestamp: an
 * AggregateFunction sees no timestamps, and the sketch's state must know each session's start to
 * merge sessions in the embedded runtime's order (see TopKParts).
 */
public final class Stamped extends Rec {
  private static final long serialVersionUID = 1L;

  public long ts;

  public Stamped() {}

  Stamped(Rec r, long ts) {
    super(r.value, r.key);
    this.ts = ts;
  }
}

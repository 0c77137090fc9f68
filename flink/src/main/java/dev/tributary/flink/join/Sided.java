package dev.tributary.flink.join;

import java.io.Serializable;

/** A record of one side of a window join, tagged as Flink's CoGroupedStreams tags it (TaggedUnion) before the union. */
public final class Sided implements Serializable {
  private static final long serialVersionUID = 1L;

  /** 0 left, 1 right. */
  public int side;
  public Object value;

  public Sided() {}

  Sided(int side, Object value) {
    this.side = side;
    this.value = value;
  }
}

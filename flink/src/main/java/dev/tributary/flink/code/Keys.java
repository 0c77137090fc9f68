package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import org.apache.flink.api.java.functions.KeySelector;

/** Flink keys for keyed code: the record's key, or one stand-in for the embedded runtime's global key null. */
final class Keys implements KeySelector<Rec, Object> {
  private static final long serialVersionUID = 1L;
  static final String NO_KEY = "\u0000tributary:no-key";

  @Override
  public Object getKey(Rec r) {
    return r.key == null ? NO_KEY : r.key;
  }
}

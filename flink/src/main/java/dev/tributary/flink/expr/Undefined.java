package dev.tributary.flink.expr;

/** JavaScript's `undefined`: a missing field, distinct from JSON null (an enum so it survives serialization as itself). */
public enum Undefined {
  INSTANCE;

  @Override
  public String toString() {
    return "undefined";
  }
}

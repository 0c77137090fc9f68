package dev.tributary.flink.cep;

import java.io.Serializable;

/**
 * A record as the cep node's NFA sees it: the value, the key it came with, and its timestamp and
 * arrival number, so a match can be written in event order (steps ordered by their first event, as
 * the embedded runtime's materialize does) and a timeout can name first event + within.
 */
public final class CepEvent implements Serializable {
  private static final long serialVersionUID = 1L;

  public Object value;
  public Object key;
  public long ts;
  public long seq;

  public CepEvent() {}

  public CepEvent(Object value, Object key, long ts, long seq) {
    this.value = value;
    this.key = key;
    this.ts = ts;
    this.seq = seq;
  }

  boolean before(CepEvent o) {
    return ts < o.ts || ts == o.ts && seq < o.seq;
  }
}

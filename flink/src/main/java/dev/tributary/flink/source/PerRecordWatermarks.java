package dev.tributary.flink.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Flink's BoundedOutOfOrdernessWatermarks (watermark = max timestamp − bound − 1), emitted after
 * every record instead of periodically: the embedded runtime's sources do the same, so which
 * records are late never depends on wall-clock timing, and both engines agree on it.
 */
public final class PerRecordWatermarks<T> implements WatermarkGenerator<T> {
  private final long bound;
  private long maxTs = Long.MIN_VALUE;

  public PerRecordWatermarks(long bound) {
    this.bound = bound;
  }

  @Override
  public void onEvent(T event, long ts, WatermarkOutput out) {
    if (ts > maxTs) {
      maxTs = ts;
      out.emitWatermark(new Watermark(ts - bound - 1));
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput out) {}
}

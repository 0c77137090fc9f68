package dev.tributary.flink.join;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.time.Duration;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.util.Collector;

/**
 * join.interval → `left.keyBy(key).intervalJoin(right.keyBy(key)).between(lower, upper)` with
 * Flink's own IntervalJoinOperator: its lateness rule (`ts < watermark`), its cleanup timers
 * (left at ts + max(upper, 0), right at ts + max(−lower, 0)), the pair stamped with the larger
 * timestamp, `sideOutputLeftLateData` / `sideOutputRightLateData` for `late`. The ProcessJoinFunction
 * evaluates `output`.
 */
public final class IntervalJoinTranslator implements NodeTranslator {
  /** Keys by the record's key (both inputs come from a keyBy; the validator checks it). */
  static final class RecKey implements KeySelector<Rec, Object> {
    private static final long serialVersionUID = 1L;

    @Override
    public Object getKey(Rec r) {
      return r.key;
    }
  }

  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    KeyedStream<Rec, Object> left = ctx.input("left").keyBy(new RecKey());
    KeyedStream<Rec, Object> right = ctx.input("right").keyBy(new RecKey());
    KeyedStream.IntervalJoined<Rec, Rec, Object> joined = left.intervalJoin(right)
        .between(Duration.ofMillis(p.get("lowerBound").asLong()), Duration.ofMillis(p.get("upperBound").asLong()));
    if (p.path("lowerBoundExclusive").asBoolean(false)) joined = joined.lowerBoundExclusive();
    if (p.path("upperBoundExclusive").asBoolean(false)) joined = joined.upperBoundExclusive();
    boolean late = ctx.connected("late");
    if (late) joined = joined.sideOutputLeftLateData(JoinOutput.LATE_LEFT).sideOutputRightLateData(JoinOutput.LATE_RIGHT);
    JoinOutput output = new JoinOutput(ctx.id, ctx.connected("errors"), Expr.of(p.get("output").get("$expr")));
    SingleOutputStreamOperator<Rec> op = joined.process(new Pairs(output), NodeContext.REC).uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (late) {
      ctx.output("late", JoinOutput.late(ctx, op.getSideOutput(JoinOutput.LATE_LEFT), "left").union(JoinOutput.late(ctx, op.getSideOutput(JoinOutput.LATE_RIGHT), "right")));
    }
    if (ctx.connected("errors")) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }

  /**
   * One pair: `output(left, right, key)`. A failing pair is reported with the record that
   * arrived second (the embedded operator's cause); Flink's ProcessJoinFunction does not say
   * which that was, so the later of the two timestamps stands for it, the left on a tie.
   */
  static final class Pairs extends ProcessJoinFunction<Rec, Rec, Rec> {
    private static final long serialVersionUID = 1L;
    private final JoinOutput output;

    Pairs(JoinOutput output) {
      this.output = output;
    }

    @Override
    public void processElement(Rec l, Rec r, Context ctx, Collector<Rec> out) {
      Object cause = ctx.getRightTimestamp() > ctx.getLeftTimestamp() ? r.value : l.value;
      Rec rec = output.build(cause, e -> ctx.output(NodeFunction.ERRORS, e), l.value, r.value, l.key);
      if (rec != null) out.collect(rec);
    }
  }
}

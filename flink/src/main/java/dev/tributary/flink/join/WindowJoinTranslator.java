package dev.tributary.flink.join;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * join.window → what Flink's JoinedStreams / CoGroupedStreams build: both inputs tagged with
 * their side (TaggedUnion), unioned, keyed by the record's key and windowed by one WindowOperator
 * with the assigner's event-time trigger; when a window fires, the nested loop of
 * JoinCoGroupFunction pairs its records (left-major), and for outer types a window without records
 * on the other side yields each record alone (the coGroup a Flink user writes by hand). Written
 * as the coGroup's own parts because CoGroupedStreams cannot send late records to a side output;
 * its WindowOperator can (`sideOutputLateData`), which `late` needs.
 */
public final class WindowJoinTranslator implements NodeTranslator {
  static final OutputTag<Rec> LATE = NodeContext.tag("late");

  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    JsonNode a = p.get("assigner");
    WindowAssigner<Object, TimeWindow> assigner = switch (a.get("kind").asText()) {
      case "tumbling" -> TumblingEventTimeWindows.of(ms(a, "size"), ms(a, "offset"));
      case "sliding" -> SlidingEventTimeWindows.of(ms(a, "size"), ms(a, "slide"), ms(a, "offset"));
      case "session" -> EventTimeSessionWindows.withGap(ms(a, "gap"));
      default -> throw new UnsupportedNode(ctx.id, "unknown assigner " + a.get("kind").asText());
    };
    String type = p.path("type").asText("inner");
    DataStream<Rec> left = tag(ctx, ctx.input("left"), 0);
    DataStream<Rec> right = tag(ctx, ctx.input("right"), 1);
    WindowedStream<Rec, Object, TimeWindow> ws = left.union(right).keyBy(new IntervalJoinTranslator.RecKey()).window(assigner);
    boolean late = ctx.connected("late");
    if (late) ws = ws.sideOutputLateData(LATE);
    JoinOutput output = new JoinOutput(ctx.id, ctx.connected("errors"), Expr.of(p.get("output").get("$expr")));
    SingleOutputStreamOperator<Rec> op = ws.process(new CoGroup(output, type.equals("left") || type.equals("full"), type.equals("right") || type.equals("full")), NodeContext.REC)
        .uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (late) {
      ctx.output("late", op.getSideOutput(LATE).map(r -> {
        Sided s = (Sided) r.value;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("side", s.side == 0 ? "left" : "right");
        m.put("record", s.value);
        return new Rec(m, null);
      }, NodeContext.REC).uid(ctx.helperUid("late")).name(ctx.label + " (late)"));
    }
    if (ctx.connected("errors")) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }

  private static DataStream<Rec> tag(NodeContext ctx, DataStream<Rec> in, int side) {
    String name = side == 0 ? "left" : "right";
    return in.map(r -> new Rec(new Sided(side, r.value), r.key), NodeContext.REC).uid(ctx.helperUid(name)).name(ctx.label + " (" + name + ")");
  }

  private static Duration ms(JsonNode a, String field) {
    return Duration.ofMillis(a.path(field).asLong(0));
  }

  /** JoinCoGroupFunction's nested loop, plus the outer sides; `window` is `{start, end}`. */
  static final class CoGroup extends ProcessWindowFunction<Rec, Rec, Object, TimeWindow> {
    private static final long serialVersionUID = 1L;
    private final JoinOutput output;
    private final boolean leftAlone;
    private final boolean rightAlone;

    CoGroup(JoinOutput output, boolean leftAlone, boolean rightAlone) {
      this.output = output;
      this.leftAlone = leftAlone;
      this.rightAlone = rightAlone;
    }

    @Override
    public void process(Object key, Context context, Iterable<Rec> elements, Collector<Rec> out) {
      List<Object> left = new ArrayList<>();
      List<Object> right = new ArrayList<>();
      for (Rec r : elements) {
        Sided s = (Sided) r.value;
        (s.side == 0 ? left : right).add(s.value);
      }
      TimeWindow w = context.window();
      if (!left.isEmpty() && !right.isEmpty()) {
        for (Object l : left) for (Object r : right) emit(context, out, l, l, r, key, w);
      } else if (!left.isEmpty() && leftAlone) {
        for (Object l : left) emit(context, out, l, l, null, key, w);
      } else if (!right.isEmpty() && rightAlone) {
        for (Object r : right) emit(context, out, r, null, r, key, w);
      }
    }

    private void emit(Context context, Collector<Rec> out, Object cause, Object l, Object r, Object key, TimeWindow w) {
      Map<String, Object> window = new LinkedHashMap<>();
      window.put("start", (double) w.getStart());
      window.put("end", (double) w.getEnd());
      Rec rec = output.build(cause, e -> context.output(NodeFunction.ERRORS, e), l, r, key, window);
      if (rec != null) out.collect(rec);
    }
  }
}

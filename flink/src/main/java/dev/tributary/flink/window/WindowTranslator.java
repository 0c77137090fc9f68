package dev.tributary.flink.window;

import dev.tributary.flink.Rec;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.api.windowing.windows.Window;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * window → keyBy(the record's key) → Flink's window assigner with its default trigger
 * (TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows; countWindow for
 * `global`), allowedLateness, sideOutputLateData for `late`, and one AggregateFunction for every
 * aggregate. Records whose numeric fields hold non-numbers go to `errors` first.
 */
public final class WindowTranslator implements NodeTranslator {
  /** The key of records no keyBy keyed: the embedded runtime's one global key, null. */
  static final String NO_KEY = "\u0000tributary:no-key";
  static final OutputTag<Rec> LATE = NodeContext.tag("late");

  static final class RecKey implements KeySelector<Rec, Object> {
    private static final long serialVersionUID = 1L;

    @Override
    public Object getKey(Rec r) {
      return r.key == null ? NO_KEY : r.key;
    }
  }

  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    if (!p.path("time").asText("event").equals("event")) {
      throw new UnsupportedNode(ctx.id, "processing-time windows are not translated yet (at the end of a bounded input the embedded runtime fires them; Flink's streaming mode does not)");
    }
    List<AggregateSpec> list = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = p.get("aggregates").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String fn = e.getValue().get("fn").asText();
      JsonNode f = e.getValue().get("field");
      list.add(new AggregateSpec(e.getKey(), fn, f == null || f.isNull() ? null : f.asText(), e.getValue().path("k").asInt(10), e.getValue().path("precision").asInt(12)));
    }
    AggregateSpec[] specs = list.toArray(new AggregateSpec[0]);
    JsonNode a = p.get("assigner");
    // Session windows merge states: approxTopK needs each session's start to merge in the embedded order (TopKParts).
    boolean stamp = a.get("kind").asText().equals("session") && list.stream().anyMatch((s) -> s.fn().equals("approxTopK"));
    long lateness = p.path("allowedLateness").asLong(0);
    WindowAssigner<Object, ? extends Window> assigner = switch (a.get("kind").asText()) {
      case "tumbling" -> TumblingEventTimeWindows.of(ms(a, "size"), ms(a, "offset"));
      case "sliding" -> SlidingEventTimeWindows.of(ms(a, "size"), ms(a, "slide"), ms(a, "offset"));
      case "session" -> EventTimeSessionWindows.withGap(ms(a, "gap"));
      default -> null;
    };
    SingleOutputStreamOperator<Rec> checked = ctx.input().process(new Check(ctx.id, ctx.connected("errors"), specs, assigner, lateness, stamp), NodeContext.REC)
        .uid(ctx.helperUid("check")).name(ctx.label + " (check)");
    KeyedStream<Rec, Object> keyed = checked.keyBy(new RecKey());
    SingleOutputStreamOperator<Rec> out;
    switch (a.get("kind").asText()) {
      case "global" -> out = finish(ctx, keyed.countWindow(a.get("count").asLong()), specs, 0);
      case "tumbling", "sliding", "session" -> out = finish(ctx, keyed.window(assigner), specs, lateness);
      default -> throw new UnsupportedNode(ctx.id, "unknown assigner " + a.get("kind").asText());
    }
    ctx.output("out", out);
    if (ctx.connected("late")) ctx.output("late", out.getSideOutput(LATE));
    if (ctx.connected("errors")) ctx.output("errors", checked.getSideOutput(NodeFunction.ERRORS));
  }

  private static Duration ms(JsonNode a, String field) {
    return Duration.ofMillis(a.path(field).asLong(0));
  }

  private static <W extends Window> SingleOutputStreamOperator<Rec> finish(NodeContext ctx, WindowedStream<Rec, Object, W> ws, AggregateSpec[] specs, long lateness) {
    if (lateness > 0) ws = ws.allowedLateness(Duration.ofMillis(lateness));
    if (ctx.connected("late")) ws = ws.sideOutputLateData(LATE);
    return ws.aggregate(new WindowAggregate(specs), new Result<W>(specs), NodeContext.TYPE_ACC, NodeContext.TYPE_ACC, NodeContext.REC)
        .uid(ctx.id).name(ctx.label);
  }

  /** `{key, windowStart, windowEnd, ...aggregates}`; null bounds for count windows. */
  static final class Result<W extends Window> extends ProcessWindowFunction<Acc, Rec, Object, W> {
    private static final long serialVersionUID = 1L;
    private final AggregateSpec[] specs;

    Result(AggregateSpec[] specs) {
      this.specs = specs;
    }

    @Override
    public void process(Object key, Context context, Iterable<Acc> elements, Collector<Rec> out) {
      Acc a = elements.iterator().next();
      W w = context.window();
      Object start = null;
      Object end = null;
      if (w instanceof TimeWindow t) {
        start = (double) t.getStart();
        end = (double) t.getEnd();
      } else if (!(w instanceof GlobalWindow)) {
        throw new IllegalStateException("window " + w);
      }
      out.collect(new Rec(WindowAggregate.results(specs, a, NO_KEY.equals(key) ? null : key, start, end), null));
    }
  }

  /** Records a numeric aggregate cannot read go to `errors` (runtime/nodes/window/base.ts prepared()). */
  static final class Check extends NodeFunction<Rec> {
    private static final long serialVersionUID = 1L;
    private final AggregateSpec[] specs;

    private final WindowAssigner<Object, ? extends Window> assigner;
    private final long lateness;
    private final boolean stamp;

    Check(String id, boolean errors, AggregateSpec[] specs, WindowAssigner<Object, ? extends Window> assigner, long lateness, boolean stamp) {
      super(id, errors);
      this.specs = specs;
      this.assigner = assigner;
      this.lateness = lateness;
      this.stamp = stamp;
    }

    /**
     * Late for every window it falls in (WindowOperator.isWindowLate): the window sends it to
     * `late` unread, as the embedded runtime does, so a bad value there is no error. Session
     * windows are judged before merging.
     */
    private boolean late(Rec r, Context ctx) {
      if (assigner == null || ctx.timestamp() == null) return false;
      long wm = ctx.timerService().currentWatermark();
      WindowAssigner.WindowAssignerContext clock = new WindowAssigner.WindowAssignerContext() {
        @Override
        public long getCurrentProcessingTime() {
          return ctx.timerService().currentProcessingTime();
        }
      };
      for (Window w : assigner.assignWindows(r, ctx.timestamp(), clock)) {
        long cleanup = w.maxTimestamp() + lateness;
        if (cleanup < w.maxTimestamp()) cleanup = Long.MAX_VALUE;
        if (cleanup > wm) return false;
      }
      return true;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Rec> out) {
      Rec fwd = stamp && ctx.timestamp() != null ? new Stamped(r, ctx.timestamp()) : r;
      if (late(r, ctx)) {
        out.collect(fwd);
        return;
      }
      for (AggregateSpec s : specs) {
        String m = s.check(r.value);
        if (m != null) {
          error(ctx, r.value, r.key, m);
          return;
        }
      }
      out.collect(fwd);
    }
  }
}

package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * connect → `left.connect(right).keyBy(key, key).process(KeyedCoProcessFunction)`: `onLeft` is
 * processElement1, `onRight` processElement2, `onTimer` onTimer, in GraalJS over one keyed state
 * and timer service shared by both sides (runtime/nodes/connect/operator.ts is the embedded side).
 */
public final class ConnectTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    var p = ctx.params;
    String declared = Json.stringify(ProcessTranslator.declared(p.path("state")));
    JsRunner js = new JsRunner(ctx.id, "connect", ctx.connected("errors"), ProcessTranslator.body(p, "onLeft"), ProcessTranslator.body(p, "onRight"),
        ProcessTranslator.body(p, "onTimer"), null, declared);
    SingleOutputStreamOperator<Rec> op = ctx.input("left").connect(ctx.input("right")).keyBy(new Keys(), new Keys())
        .process(new Fn(js), NodeContext.REC).uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (ctx.connected("errors")) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }

  static final class Fn extends KeyedCoProcessFunction<Object, Rec, Rec, Rec> {
    private static final long serialVersionUID = 1L;
    private final JsRunner js;

    Fn(JsRunner js) {
      this.js = js;
    }

    @Override
    public void open(OpenContext openContext) {
      js.open(getRuntimeContext());
    }

    @Override
    public void close() {
      js.close();
    }

    private void side(int domain, Rec r, Context ctx, Collector<Rec> out) {
      js.timers = ctx.timerService();
      js.out = out;
      js.errors = e -> ctx.output(NodeFunction.ERRORS, e);
      Long ts = ctx.timestamp();
      js.record(domain, r, ts != null ? ts : ctx.timerService().currentProcessingTime(), ctx.timerService().currentWatermark(), ctx.getCurrentKey());
    }

    @Override
    public void processElement1(Rec r, Context ctx, Collector<Rec> out) {
      side(-1, r, ctx, out);
    }

    @Override
    public void processElement2(Rec r, Context ctx, Collector<Rec> out) {
      side(-2, r, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rec> out) {
      js.timers = ctx.timerService();
      js.out = out;
      js.errors = e -> ctx.output(NodeFunction.ERRORS, e);
      js.timer(ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.EVENT_TIME, timestamp, ctx.timerService().currentWatermark(), ctx.getCurrentKey());
    }
  }
}

package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * broadcast → `main.keyBy(key).connect(broadcastSide.broadcast(descriptor)).process(...)`, a
 * KeyedBroadcastProcessFunction (runtime/nodes/broadcast/operator.ts is the embedded side). An
 * unkeyed main input is keyed by one stand-in key, the embedded runtime's null key, so its code
 * has keyed state and timers as there. The `key`/`value` and `output` expressions run in Java;
 * `onBroadcast`, `code` and `onTimer` in GraalJS over Flink's broadcast and keyed state.
 */
public final class BroadcastTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    boolean errors = ctx.connected("errors");
    String code = ProcessTranslator.body(p, "code");
    String onBroadcast = ProcessTranslator.body(p, "onBroadcast");
    JsRunner js = code == null && onBroadcast == null ? null
        : new JsRunner(ctx.id, "broadcast", errors, code, null, ProcessTranslator.body(p, "onTimer"), onBroadcast, "{}");
    Fn fn = new Fn(ctx.id, errors, expr(p, "key"), expr(p, "value"), expr(p, "output"), js);
    SingleOutputStreamOperator<Rec> op = ctx.input("main").keyBy(new Keys()).connect(ctx.input("broadcast").broadcast(BroadcastAccess.DESCRIPTOR))
        .process(fn, NodeContext.REC).uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (errors) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }

  private static Expr expr(JsonNode p, String name) {
    return p.hasNonNull(name) ? Expr.of(p.get(name).get("$expr")) : null;
  }

  static final class Fn extends KeyedBroadcastProcessFunction<Object, Rec, Rec, Rec> {
    private static final long serialVersionUID = 1L;
    private final String nodeId;
    private final boolean errorsConnected;
    private final Expr key;
    private final Expr value;
    private final Expr output;
    private final JsRunner js;
    private transient BroadcastAccess access;
    /** `broadcast` as `output` sees it, rebuilt after a write. */
    private transient Map<String, Object> object;
    private transient long objectVersion;

    Fn(String nodeId, boolean errorsConnected, Expr key, Expr value, Expr output, JsRunner js) {
      this.nodeId = nodeId;
      this.errorsConnected = errorsConnected;
      this.key = key;
      this.value = value;
      this.output = output;
      this.js = js;
    }

    @Override
    public void open(OpenContext openContext) {
      if (js != null) {
        js.open(getRuntimeContext());
        access = js.broadcast;
      } else {
        access = new BroadcastAccess();
      }
      objectVersion = -1;
    }

    @Override
    public void close() {
      if (js != null) js.close();
    }

    @Override
    public void processElement(Rec r, ReadOnlyContext ctx, Collector<Rec> out) throws Exception {
      access.reading(ctx.getBroadcastState(BroadcastAccess.DESCRIPTOR));
      if (output == null) {
        js.timers = ctx.timerService();
        js.out = out;
        js.errors = e -> ctx.output(NodeFunction.ERRORS, e);
        Long ts = ctx.timestamp();
        js.record(-1, r, ts != null ? ts : ctx.timerService().currentProcessingTime(), ctx.timerService().currentWatermark(), ctx.getCurrentKey());
        return;
      }
      if (objectVersion != access.version() || object == null) {
        object = access.object();
        objectVersion = access.version();
      }
      Object v;
      try {
        v = output.eval(r.value, object, JsProcessFunction.userKey(ctx.getCurrentKey()));
      } catch (RuntimeException e) {
        error(r.value, e.getMessage(), x -> ctx.output(NodeFunction.ERRORS, x));
        return;
      }
      if (Js.isNil(v)) return;
      if (!(v instanceof Map) || v instanceof List) {
        error(r.value, "output must build an object or null, got " + (v instanceof List ? "an array" : Js.typeOf(v)), x -> ctx.output(NodeFunction.ERRORS, x));
        return;
      }
      out.collect(new Rec(v, null));
    }

    @Override
    public void processBroadcastElement(Rec r, Context ctx, Collector<Rec> out) throws Exception {
      access.writing(ctx.getBroadcastState(BroadcastAccess.DESCRIPTOR));
      if (key == null) {
        js.out = out;
        js.errors = e -> ctx.output(NodeFunction.ERRORS, e);
        Long ts = ctx.timestamp();
        js.record(-3, r, ts != null ? ts : ctx.currentProcessingTime(), ctx.currentWatermark(), null);
        return;
      }
      try {
        Object k = key.eval(r.value);
        boolean valid = k instanceof String || k instanceof Boolean || (k instanceof Number n && Double.isFinite(n.doubleValue()));
        if (!valid) throw new Js.TypeError("a broadcast state key must be a string, a finite number or a boolean, not " + (k == null ? "null" : Js.typeOf(k)));
        if (k instanceof Double d && d == 0) k = 0.0;
        Object v = value == null ? r.value : value.eval(r.value);
        if (Js.isNil(v)) access.remove(Json.stringify(k));
        else access.put(Json.stringify(k), Json.stringify(v));
      } catch (RuntimeException e) {
        error(r.value, e.getMessage(), x -> ctx.output(NodeFunction.ERRORS, x));
      }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rec> out) throws Exception {
      if (js == null) return;
      access.reading(ctx.getBroadcastState(BroadcastAccess.DESCRIPTOR));
      js.timers = ctx.timerService();
      js.out = out;
      js.errors = e -> ctx.output(NodeFunction.ERRORS, e);
      js.timer(ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.EVENT_TIME, timestamp, ctx.timerService().currentWatermark(), ctx.getCurrentKey());
    }

    private void error(Object record, String message, java.util.function.Consumer<Rec> side) {
      if (!errorsConnected) throw NodeFunction.failure(nodeId, message, record);
      side.accept(new Rec(NodeFunction.errorRecord(nodeId, message, record), null));
    }
  }
}

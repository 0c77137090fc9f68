package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.graalvm.polyglot.Value;

/**
 * The process node as Flink's KeyedProcessFunction: `code` is processElement, `onTimer` is
 * onTimer, `open` is open, run by GraalJS over Flink's keyed state and TimerService
 * (runtime/nodes/process/operator.ts is the embedded runtime's side). One JavaScript context per
 * parallel instance, used only from the task's thread, as Flink calls a function.
 */
public final class JsProcessFunction extends KeyedProcessFunction<Object, Rec, Rec> implements ProcessHost.Call {
  private static final long serialVersionUID = 1L;
  static final OutputTag<Rec> SIDE = NodeContext.tag("side");

  private final String nodeId;
  private final boolean errorsConnected;
  private final String code;
  private final String onTimer;
  private final String open;
  /** The declared states, `{name: {kind, ttl (ms), ttlUpdate}}`. */
  private final String declared;

  private transient org.graalvm.polyglot.Context js;
  private transient Value call;
  private transient ProcessHost host;
  private transient KeyedProcessFunction<Object, Rec, Rec>.Context cur;
  private transient Collector<Rec> out;
  /**
   * What a chained downstream operator threw inside `ctx.emit`: JavaScript's catch (the call's
   * own, or the user's) must not turn it into this node's error, so it is thrown again after.
   */
  private transient RuntimeException downstream;

  JsProcessFunction(String nodeId, boolean errorsConnected, String code, String onTimer, String open, String declared) {
    this.nodeId = nodeId;
    this.errorsConnected = errorsConnected;
    this.code = code;
    this.onTimer = onTimer;
    this.open = open;
    this.declared = declared;
  }

  @Override
  public void open(OpenContext openContext) {
    host = new ProcessHost(getRuntimeContext());
    host.call = this;
    js = GraalJs.context();
    Value made;
    try {
      made = js.eval("js", ProcessPrelude.JS).execute(host, declared, code, onTimer, open, null, "process", null);
    } catch (org.graalvm.polyglot.PolyglotException e) {
      // Code the embedded runtime compiled but GraalJS does not (a syntax error names the node).
      throw new NodeFunction.NodeFailure(nodeId, "code does not compile in GraalJS: " + e.getMessage());
    }
    if (made.isString()) throw new NodeFunction.NodeFailure(nodeId, made.asString());
    call = made;
  }

  @Override
  public void close() {
    if (js != null) GraalJs.close(js);
    js = null;
  }

  @Override
  public void processElement(Rec r, Context ctx, Collector<Rec> collector) {
    cur = ctx;
    out = collector;
    Long ts = ctx.timestamp();
    double t = ts != null ? ts : ctx.timerService().currentProcessingTime();
    Value err = call.execute(-1, Json.stringify(r.value), t, watermark(ctx), keyJson(ctx.getCurrentKey()));
    rethrowDownstream();
    if (!err.isNull()) error(r.value, err.asString());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Rec> collector) {
    cur = ctx;
    out = collector;
    boolean event = ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.EVENT_TIME;
    Object key = userKey(ctx.getCurrentKey());
    Value err = call.execute(event ? 0 : 1, null, (double) timestamp, watermark(ctx), Json.stringify(key));
    rethrowDownstream();
    if (!err.isNull()) {
      Map<String, Object> timer = new LinkedHashMap<>();
      timer.put("timestamp", (double) timestamp);
      timer.put("domain", event ? "event" : "processing");
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("timer", timer);
      rec.put("key", key);
      error(rec, err.asString());
    }
  }

  /** Long.MIN_VALUE (no watermark yet) is −Infinity to code, Long.MAX_VALUE (end of input) +Infinity. */
  private static double watermark(KeyedProcessFunction<Object, Rec, Rec>.Context ctx) {
    long wm = ctx.timerService().currentWatermark();
    return wm == Long.MIN_VALUE ? Double.NEGATIVE_INFINITY : wm == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : wm;
  }

  static Object userKey(Object k) {
    return Keys.NO_KEY.equals(k) ? null : k;
  }

  private static String keyJson(Object k) {
    return Json.stringify(userKey(k));
  }

  /** The embedded runtime's rule: to `errors` as `{node, error, record}` when it has an edge, else fail naming the node. */
  private void error(Object record, String message) {
    if (!errorsConnected) throw NodeFunction.failure(nodeId, message, record);
    cur.output(NodeFunction.ERRORS, new Rec(NodeFunction.errorRecord(nodeId, message, record), null));
  }

  // ProcessHost.Call

  @Override
  public TimerService timers() {
    return cur.timerService();
  }

  @Override
  public void emit(Rec r, int port) {
    try {
      if (port == 0) out.collect(r);
      else cur.output(SIDE, r);
    } catch (RuntimeException e) {
      if (downstream == null) downstream = e;
      throw e;
    }
  }

  private void rethrowDownstream() {
    RuntimeException e = downstream;
    downstream = null;
    if (e != null) throw e;
  }
}

package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeFunction;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;
import org.graalvm.polyglot.Value;

/**
 * The JavaScript side of the two-input code nodes (connect, broadcast): one GraalJS context per
 * parallel instance running ProcessPrelude over Flink's keyed state, timers and (for broadcast)
 * broadcast state, with the embedded runtime's error rule. JsProcessFunction is the one-input
 * version of the same.
 */
final class JsRunner implements Serializable, ProcessHost.Call {
  private static final long serialVersionUID = 1L;

  private final String nodeId;
  private final String node;
  private final boolean errorsConnected;
  private final String code;
  private final String code2;
  private final String onTimer;
  private final String onBroadcast;
  private final String declared;

  private transient org.graalvm.polyglot.Context js;
  private transient Value call;
  transient TimerService timers;
  transient Collector<Rec> out;
  transient Consumer<Rec> errors;
  transient BroadcastAccess broadcast;
  private transient RuntimeException downstream;

  JsRunner(String nodeId, String node, boolean errorsConnected, String code, String code2, String onTimer, String onBroadcast, String declared) {
    this.nodeId = nodeId;
    this.node = node;
    this.errorsConnected = errorsConnected;
    this.code = code;
    this.code2 = code2;
    this.onTimer = onTimer;
    this.onBroadcast = onBroadcast;
    this.declared = declared;
  }

  void open(RuntimeContext runtime) {
    ProcessHost host = new ProcessHost(runtime);
    host.call = this;
    broadcast = new BroadcastAccess();
    js = GraalJs.context();
    Value made;
    try {
      made = js.eval("js", ProcessPrelude.JS).execute(host, declared, code, onTimer, null, code2, node, onBroadcast);
    } catch (org.graalvm.polyglot.PolyglotException e) {
      throw new NodeFunction.NodeFailure(nodeId, "code does not compile in GraalJS: " + e.getMessage());
    }
    if (made.isString()) throw new NodeFunction.NodeFailure(nodeId, made.asString());
    call = made;
  }

  void close() {
    if (js != null) GraalJs.close(js);
    js = null;
  }

  /** A record (domain −1 left/main, −2 right, −3 broadcast); failures to `errors` or the job fails. */
  void record(int domain, Rec r, double ts, long wm, Object key) {
    Value err = call.execute(domain, Json.stringify(r.value), ts, watermark(wm), Json.stringify(JsProcessFunction.userKey(key)));
    rethrowDownstream();
    if (!err.isNull()) error(r.value, err.asString());
  }

  void timer(boolean event, long timestamp, long wm, Object key) {
    Object k = JsProcessFunction.userKey(key);
    Value err = call.execute(event ? 0 : 1, null, (double) timestamp, watermark(wm), Json.stringify(k));
    rethrowDownstream();
    if (!err.isNull()) {
      Map<String, Object> timer = new LinkedHashMap<>();
      timer.put("timestamp", (double) timestamp);
      timer.put("domain", event ? "event" : "processing");
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("timer", timer);
      rec.put("key", k);
      error(rec, err.asString());
    }
  }

  static double watermark(long wm) {
    return wm == Long.MIN_VALUE ? Double.NEGATIVE_INFINITY : wm == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : wm;
  }

  private void error(Object record, String message) {
    if (!errorsConnected) throw NodeFunction.failure(nodeId, message, record);
    errors.accept(new Rec(NodeFunction.errorRecord(nodeId, message, record), null));
  }

  @Override
  public TimerService timers() {
    return timers;
  }

  @Override
  public BroadcastAccess broadcast() {
    return broadcast;
  }

  @Override
  public void emit(Rec r, int port) {
    try {
      out.collect(r);
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

package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.graalvm.polyglot.Value;

/**
 * filter, map and flatMap with `code`: a ProcessFunction running the function body in GraalJS with
 * `event` and `ctx` ({node, timestamp, key}) in scope, checking the result as the embedded
 * runtime's chain does (runtime/engine/chain.ts), with the same messages. The record keeps its key.
 */
public final class JsStage extends NodeFunction<Rec> {
  private static final long serialVersionUID = 1L;

  /**
   * Returns one string per call: `E` + message (the code threw), `F`/`T` (filter), `R` + message
   * (a map result that is no object), `O` + the map's record as JSON, or `A` + the flatMap's array
   * as JSON with each element that is no object replaced by the message about it (a string, so it
   * cannot be taken for a record).
   */
  private static final String PRELUDE = """
(function (kind, node, code) {
  const fn = new Function('event', 'ctx', code);
  const ctx = { node, timestamp: 0, key: undefined };
  const describe = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);
  const isRecord = (r) => typeof r === 'object' && r !== null && !Array.isArray(r);
  return function call(event, ts, key) {
    ctx.timestamp = ts;
    ctx.key = key === null ? undefined : JSON.parse(key);
    let r;
    try {
      r = fn(JSON.parse(event), ctx);
    } catch (e) {
      return 'E' + (e instanceof Error ? e.message : String(e));
    }
    if (kind === 'filter') return r ? 'T' : 'F';
    if (kind === 'map') return isRecord(r) ? 'O' + JSON.stringify(r) : 'Rmap must produce an object, got ' + describe(r);
    if (!Array.isArray(r)) return 'RflatMap code must return an array, got ' + describe(r);
    return 'A' + JSON.stringify(r.map((x) => (isRecord(x) ? x : 'flatMap must return an array of objects, got ' + describe(x))));
  };
})
""";

  private final String kind;
  private final String code;
  private transient org.graalvm.polyglot.Context js;
  private transient Value call;

  JsStage(String nodeId, boolean errorsConnected, String kind, String code) {
    super(nodeId, errorsConnected);
    this.kind = kind;
    this.code = code;
  }

  @Override
  public void open(OpenContext openContext) {
    js = GraalJs.context();
    try {
      call = js.eval("js", PRELUDE).execute(kind, nodeId, code);
    } catch (org.graalvm.polyglot.PolyglotException e) {
      throw new NodeFailure(nodeId, "code does not compile in GraalJS: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    if (js != null) GraalJs.close(js);
    js = null;
  }

  @Override
  public void processElement(Rec r, Context ctx, Collector<Rec> out) {
    Long ts = ctx.timestamp();
    double t = ts != null ? ts : ctx.timerService().currentProcessingTime();
    String res = call.execute(Json.stringify(r.value), t, r.key == null ? null : Json.stringify(r.key)).asString();
    switch (res.charAt(0)) {
      case 'T' -> out.collect(r);
      case 'F' -> { }
      case 'O' -> out.collect(new Rec(Json.parse(res.substring(1)), r.key));
      case 'A' -> {
        for (Object x : (List<?>) Json.parse(res.substring(1))) {
          if (x instanceof Map) out.collect(new Rec(x, r.key));
          else error(ctx, r.value, r.key, (String) x);
        }
      }
      default -> error(ctx, r.value, r.key, res.substring(1));
    }
  }

  /** `code` runs here; an expression goes to the expression translator. */
  static NodeTranslator orExpression(String kind, NodeTranslator expression) {
    return ctx -> {
      String code = ProcessTranslator.body(ctx.params, "code");
      if (code == null) expression.translate(ctx);
      else translate(ctx, kind, code);
    };
  }

  public static final NodeTranslator FILTER = orExpression("filter", dev.tributary.flink.translate.Stateless.FILTER);
  public static final NodeTranslator MAP = orExpression("map", dev.tributary.flink.translate.Stateless.MAP);
  public static final NodeTranslator FLAT_MAP = ctx -> translate(ctx, "flatMap", ProcessTranslator.body(ctx.params, "code"));

  private static void translate(NodeContext ctx, String kind, String code) {
    SingleOutputStreamOperator<Rec> op = ctx.input().process(new JsStage(ctx.id, ctx.connected("errors"), kind, code), NodeContext.REC).uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (ctx.connected("errors")) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }
}

package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * process → keyBy(the record's key) → a KeyedProcessFunction running the node's JavaScript
 * (JsProcessFunction); `side` is a side output, `errors` the errors side output.
 */
public final class ProcessTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    String declared = Json.stringify(declared(p.path("state")));
    JsProcessFunction fn = new JsProcessFunction(ctx.id, ctx.connected("errors"), body(p, "code"), body(p, "onTimer"), body(p, "open"), declared);
    SingleOutputStreamOperator<Rec> op = ctx.input().keyBy(new Keys()).process(fn, NodeContext.REC).uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (ctx.connected("side")) ctx.output("side", op.getSideOutput(JsProcessFunction.SIDE));
    if (ctx.connected("errors")) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }

  /** A code param's function body (compiled pipelines carry `{$code: {params, body}}`), or null when unset. */
  static String body(JsonNode params, String name) {
    JsonNode v = params.path(name);
    if (v.isMissingNode() || v.isNull()) return null;
    return v.has("$code") ? v.get("$code").get("body").asText() : v.asText();
  }

  /** `state` with durations already in ms (the compiled pipeline converts them). */
  static Map<String, Object> declared(JsonNode state) {
    Map<String, Object> out = new LinkedHashMap<>();
    state.fields().forEachRemaining(e -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("kind", e.getValue().get("kind").asText());
      if (e.getValue().hasNonNull("ttl")) d.put("ttl", e.getValue().get("ttl").asDouble());
      if (e.getValue().hasNonNull("ttlUpdate")) d.put("ttlUpdate", e.getValue().get("ttlUpdate").asText());
      out.put(e.getKey(), d);
    });
    return out;
  }
}

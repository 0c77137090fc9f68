package dev.tributary.flink.redis;

import dev.tributary.flink.Rec;
import dev.tributary.flink.connect.EnvRefs;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * sink.redis: each record becomes its commands when it arrives (a record that cannot goes to
 * `errors`), then {@link RedisSink} writes them pipelined, `batchSize` records a round trip, in
 * arrival order. The sink runs at its input's parallelism and is chained to it, so the records of
 * one key (an upstream keyBy) reach Redis in their order, as in the embedded runtime's single writer.
 */
public final class RedisSinkTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    String url = EnvRefs.resolve(p.path("url").asText("${REDIS_URL:-redis://127.0.0.1:6379}"), ctx.id, "url");
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new UnsupportedNode(ctx.id, "url: only redis:// and rediss:// URLs are supported on Flink (a unix socket is local to one machine)");
    }
    RedisCommands build = new RedisCommands(p.get("command").asText(), new KeyTemplate(p.get("key").asText()), expr(p, "fields"), expr(p, "value"), expr(p, "member"),
        expr(p, "score"), p.hasNonNull("maxLen") ? p.get("maxLen").asLong() : null, p.hasNonNull("ttl") ? p.get("ttl").asLong() : null);
    SingleOutputStreamOperator<Commands> cmds = ctx.input().process(new Encode(ctx.id, ctx.connected("errors"), build), TypeInformation.of(Commands.class))
        .uid(ctx.helperUid("encode")).name(ctx.label + " (commands)");
    cmds.sinkTo(new RedisSink(ctx.id, url, p.path("batchSize").asInt(1000), p.path("retryFor").asLong(120_000))).uid(ctx.id).name(ctx.label);
    if (ctx.connected("errors")) ctx.output("errors", cmds.getSideOutput(NodeFunction.ERRORS));
  }

  private static Expr expr(JsonNode p, String name) {
    return p.hasNonNull(name) ? Expr.of(p.get(name).get("$expr")) : null;
  }

  /** One record's commands. */
  public static final class Commands implements Serializable {
    private static final long serialVersionUID = 1L;
    public List<String[]> list;

    public Commands() {}

    Commands(List<String[]> list) {
      this.list = list;
    }
  }

  /** A record → its commands, or to `errors` (NodeFunction's rule, with an output of its own type). */
  static final class Encode extends org.apache.flink.streaming.api.functions.ProcessFunction<Rec, Commands> {
    private static final long serialVersionUID = 1L;
    private final String nodeId;
    private final boolean errorsConnected;
    private final RedisCommands build;

    Encode(String id, boolean errors, RedisCommands build) {
      this.nodeId = id;
      this.errorsConnected = errors;
      this.build = build;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Commands> out) {
      List<String[]> c;
      try {
        c = build.of(r.value);
      } catch (RuntimeException e) {
        if (!errorsConnected) throw new NodeFunction.NodeFailure(nodeId, e.getMessage());
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("node", nodeId);
        err.put("error", e.getMessage());
        err.put("record", r.value);
        ctx.output(NodeFunction.ERRORS, new Rec(err, null));
        return;
      }
      out.collect(new Commands(c));
    }
  }
}

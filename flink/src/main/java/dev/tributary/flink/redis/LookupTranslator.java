package dev.tributary.flink.redis;

import dev.tributary.flink.Rec;
import dev.tributary.flink.connect.EnvRefs;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * lookup.redis as Flink's Async I/O (AsyncDataStream.orderedWait, or unorderedWait for
 * `ordered: false`, which keeps records and watermarks from passing each other as the embedded
 * node does), `capacity` records in the operator's queue and `timeout` per record, on
 * {@link RedisLookup}. A step after it sends failed lookups to `errors` as `{node, error, record}`,
 * or fails the job naming the node when that port has no edge.
 */
public final class LookupTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    String url = EnvRefs.resolve(p.path("url").asText("${REDIS_URL:-redis://127.0.0.1:6379}"), ctx.id, "url");
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new UnsupportedNode(ctx.id, "url: only redis:// and rediss:// URLs are supported on Flink (a unix socket is local to one machine)");
    }
    int capacity = p.path("capacity").asInt(500);
    long timeout = p.path("timeout").asLong(2000);
    RedisLookup fn = new RedisLookup(ctx.id, url, new KeyTemplate(p.get("key").asText()), p.path("kind").asText("hash"), p.hasNonNull("as") ? p.get("as").asText() : null,
        capacity, timeout, p.path("cacheTtl").asLong(0), p.path("cacheSize").asInt(10_000));
    DataStream<Rec> in = ctx.input();
    SingleOutputStreamOperator<Rec> looked = p.path("ordered").asBoolean(true)
        ? AsyncDataStream.orderedWait(in, fn, timeout, TimeUnit.MILLISECONDS, capacity)
        : AsyncDataStream.unorderedWait(in, fn, timeout, TimeUnit.MILLISECONDS, capacity);
    looked = looked.uid(ctx.id).name(ctx.label);
    SingleOutputStreamOperator<Rec> out = looked.process(new Split(ctx.id, ctx.connected("errors")), NodeContext.REC).uid(ctx.helperUid("errors")).name(ctx.label + " (errors)");
    ctx.output("out", out);
    if (ctx.connected("errors")) ctx.output("errors", out.getSideOutput(NodeFunction.ERRORS));
  }

  /** Failed lookups to `errors` (NodeFunction's rule), the rest on. */
  static final class Split extends NodeFunction<Rec> {
    private static final long serialVersionUID = 1L;

    Split(String id, boolean errors) {
      super(id, errors);
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Rec> out) {
      if (r instanceof RedisLookup.Failure f) error(ctx, f.value, null, f.error);
      else out.collect(r);
    }
  }
}

package dev.tributary.flink.source;

import dev.tributary.flink.Rec;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * source.generator as Flink's DataGeneratorSource (one reader, so events come in the model's
 * order), with the embedded runtime's watermarks: bounded out-of-orderness by `disorder`, after
 * every record. `rate` throttles through Flink's RateLimiterStrategy; `count` bounds the source.
 */
public final class GeneratorTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    double rate = p.path("rate").asDouble(1000);
    JsonNode startNode = p.path("startTime");
    double startTime = startNode.isNumber() ? startNode.asDouble() : Instant.parse(startNode.asText()).toEpochMilli();
    EcommerceGenerator.Options o = new EcommerceGenerator.Options(p.path("seed").asDouble(42), p.path("users").asInt(10_000),
        p.path("products").asInt(1000), p.path("categories").asInt(12), p.path("abandonment").asDouble(0.7), startTime,
        p.hasNonNull("eventTimeRate") ? p.get("eventTimeRate").asDouble() : rate > 0 ? rate : 1000, p.path("disorder").asDouble(2000), 0);
    long count = p.hasNonNull("count") ? p.get("count").asLong() : Long.MAX_VALUE;
    DataGeneratorSource<Rec> source = new DataGeneratorSource<>(new Events(o), count,
        rate > 0 ? RateLimiterStrategy.perSecond(rate) : RateLimiterStrategy.noOp(), NodeContext.REC);
    long bound = (long) o.disorder();
    WatermarkStrategy<Rec> wm = WatermarkStrategy.<Rec>forGenerator(c -> new PerRecordWatermarks<>(bound))
        .withTimestampAssigner((r, t) -> ((Double) ((Map<?, ?>) r.value).get("ts")).longValue());
    ctx.output("out", ctx.env.fromSource(source, wm, ctx.label).setParallelism(1).uid(ctx.id).name(ctx.label));
  }

  /** Index i → the i-th event. The model is sequential, so a reader that resumes at i replays the seed up to it. */
  static final class Events implements GeneratorFunction<Long, Rec> {
    private static final long serialVersionUID = 1L;
    private final EcommerceGenerator.Options o;
    private transient EcommerceGenerator gen;
    private transient long next;

    Events(EcommerceGenerator.Options o) {
      this.o = o;
    }

    @Override
    public void open(SourceReaderContext readerContext) {
      gen = new EcommerceGenerator(o);
      next = 0;
    }

    @Override
    public Rec map(Long index) {
      if (index < next) {
        gen = new EcommerceGenerator(o);
        next = 0;
      }
      while (next < index) {
        gen.nextEvent();
        next++;
      }
      next++;
      return new Rec(gen.nextEvent(), null);
    }
  }
}

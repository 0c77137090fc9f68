package dev.tributary.flink.kafka;

import dev.tributary.flink.Rec;
import dev.tributary.flink.source.FileTranslator;
import dev.tributary.flink.source.PerRecordWatermarks;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * source.kafka as Flink's KafkaSource. Event time follows the embedded runtime's source: a
 * bounded-out-of-orderness watermark per partition, updated after every record (fromSource runs
 * the WatermarkStrategy per split, so each partition has its own generator and the source emits
 * the minimum over partitions that are not idle — Flink's "Watermark Strategies and the Kafka
 * Connector"), `idleTimeout` as WatermarkStrategy#withIdleness, `bounded` as
 * setBounded(OffsetsInitializer.latest()). Records that do not decode, or have no usable event
 * time, leave the source marked and go to `errors` in the next step (as the embedded source sends
 * them), or fail the job naming the node.
 * Offsets are committed to `groupId` when a checkpoint completes (KafkaSource's rule), where the
 * embedded runtime commits once everything read before has been written.
 */
public final class KafkaSourceTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    Properties props = KafkaConnection.of(ctx);
    // KafkaSource names each reader's consumer from a prefix.
    props.setProperty("client.id.prefix", (String) props.remove("client.id"));
    List<String> topics = new ArrayList<>();
    if (p.get("topic").isArray()) p.get("topic").forEach(t -> topics.add(t.asText()));
    else topics.add(p.get("topic").asText());
    KafkaSourceBuilder<Rec> b = KafkaSource.<Rec>builder()
        .setProperties(props)
        .setTopics(topics)
        .setGroupId(p.hasNonNull("groupId") ? p.get("groupId").asText() : "tributary-" + ctx.id)
        // kafkajs, the embedded runtime's client, reads committed records only.
        .setProperty("isolation.level", "read_committed")
        .setDeserializer(new KafkaDecode(p.path("format").asText("json"), p.path("metadata").asBoolean(true) ? p.path("metadataField").asText("kafka") : null));
    b.setStartingOffsets(switch (p.path("startFrom").asText("committed")) {
      case "earliest" -> OffsetsInitializer.earliest();
      case "latest" -> OffsetsInitializer.latest();
      case "timestamp" -> OffsetsInitializer.timestamp(startTimestamp(p.get("startTimestamp")));
      default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    });
    if (p.path("bounded").asBoolean(false)) b.setBounded(OffsetsInitializer.latest());

    JsonNode et = p.get("eventTime");
    WatermarkStrategy<Rec> wm = WatermarkStrategy.noWatermarks();
    String[] field = null;
    if (et != null && !et.isNull()) {
      long bound = et.path("maxOutOfOrderness").asLong(0);
      String[] path = et.get("field").asText().split("\\.");
      field = path;
      wm = WatermarkStrategy.<Rec>forGenerator(c -> new PerRecordWatermarks<>(bound)).withTimestampAssigner((r, kafkaTs) -> {
        double ts = r.value instanceof KafkaDecode.Bad ? Double.NaN : FileTranslator.toTimestamp(at(r.value, path));
        // A record without a usable time goes to `errors` next; it must not move the watermark.
        return Double.isFinite(ts) ? (long) Math.floor(ts) : Long.MIN_VALUE;
      });
      if (et.hasNonNull("idleTimeout")) wm = wm.withIdleness(Duration.ofMillis(et.get("idleTimeout").asLong()));
    }
    DataStream<Rec> read = ctx.env.fromSource(b.build(), wm, ctx.label).uid(ctx.id).name(ctx.label);
    SingleOutputStreamOperator<Rec> checked = read.process(new Check(ctx.id, ctx.connected("errors"), field), NodeContext.REC)
        .uid(ctx.helperUid("check")).name(ctx.label + " (decode)");
    ctx.output("out", checked);
    if (ctx.connected("errors")) ctx.output("errors", checked.getSideOutput(NodeFunction.ERRORS));
  }

  private static long startTimestamp(JsonNode v) {
    if (v.isNumber()) return v.asLong();
    return java.time.OffsetDateTime.parse(v.asText()).toInstant().toEpochMilli();
  }

  static Object at(Object rec, String[] path) {
    Object v = rec;
    for (int i = 0; i < path.length && v != null; i++) {
      if (!(v instanceof Map<?, ?> m) || !m.containsKey(path[i])) return dev.tributary.flink.expr.Js.UNDEFINED;
      v = m.get(path[i]);
    }
    return v;
  }

  /** Routes what the source marked as bad to `errors` as `{node, error, record, topic, partition, offset}`. */
  static final class Check extends NodeFunction<Rec> {
    private static final long serialVersionUID = 1L;
    private final String[] field;

    Check(String id, boolean errors, String[] field) {
      super(id, errors);
      this.field = field;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Rec> out) {
      KafkaDecode.Bad bad = r.value instanceof KafkaDecode.Bad b ? b : null;
      if (bad == null && field != null) {
        Object v = at(r.value, field);
        if (!Double.isFinite(FileTranslator.toTimestamp(v))) {
          // describeValue of runtime/engine/errors.ts
          String got = v == dev.tributary.flink.expr.Js.UNDEFINED ? "nothing" : dev.tributary.flink.expr.Json.stringify(v);
          if (got.length() > 200) got = got.substring(0, 200) + "…";
          bad = new KafkaDecode.Bad("field '" + String.join(".", field) + "' must be epoch milliseconds or an ISO-8601 timestamp, got " + got, r.value, ((KafkaDecode.Position) r.key));
        }
      }
      if (bad == null) {
        out.collect(new Rec(r.value, null));
        return;
      }
      if (!errorsConnected()) throw new NodeFailure(nodeId, bad.topic + "/" + (long) bad.partition + "@" + (long) bad.offset + ": " + bad.error);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("node", nodeId);
      e.put("error", bad.error);
      e.put("record", bad.record);
      e.put("topic", bad.topic);
      e.put("partition", bad.partition);
      e.put("offset", bad.offset);
      ctx.output(ERRORS, new Rec(e, null));
    }
  }
}

package dev.tributary.flink.kafka;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * sink.kafka as Flink's KafkaSink. Each record first becomes its message (key, value, headers from
 * the node's expressions, as runtime/nodes/sink-kafka/operator.ts builds them), so a record that
 * cannot become one goes to `errors` when it arrives; then the sink writes. With the default
 * idempotent producer the sink is exactly-once (DeliveryGuarantee.EXACTLY_ONCE: one Kafka
 * transaction per checkpoint, committed when the checkpoint completes, transactional ids prefixed
 * from the node id so a restarted job fences and aborts its predecessor's open transactions);
 * readers see the records with isolation.level=read_committed. `idempotent: false` (or acks other
 * than all) gives AT_LEAST_ONCE with those acks. Exactly-once needs checkpoints, so a job with
 * such a sink and no checkpointing of its own checkpoints every {@link #CHECKPOINT_MS}; a bounded
 * job commits its last transaction in the final checkpoint (Flink's checkpoints after tasks finish).
 * Messages carry no timestamp (the broker stamps them), as the embedded sink sends them.
 */
public final class KafkaSinkTranslator implements NodeTranslator {
  static final long CHECKPOINT_MS = 2_000;
  /** Below the broker's default transaction.max.timeout.ms (15 min); Flink's producer default (1 h) is refused by it. */
  static final String TRANSACTION_TIMEOUT_MS = "600000";

  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    Properties props = KafkaConnection.of(ctx);
    String topic = p.get("topic").asText();
    boolean exactlyOnce = p.hasNonNull("deliveryGuarantee")
        ? p.get("deliveryGuarantee").asText().equals("exactly-once")
        : p.path("idempotent").asBoolean(true) && p.path("acks").asText("all").equals("all");
    props.setProperty("acks", switch (p.path("acks").asText("all")) {
      case "leader" -> "1";
      case "none" -> "0";
      default -> "all";
    });
    // The node's `idempotent` holds for at-least-once too (the embedded writer's producer option).
    props.setProperty("enable.idempotence", String.valueOf(exactlyOnce || (p.path("idempotent").asBoolean(true) && p.path("acks").asText("all").equals("all"))));
    props.setProperty("compression.type", p.path("compression").asText("none"));
    props.setProperty("retries", String.valueOf(p.path("retries").asInt(5)));
    props.setProperty("retry.backoff.ms", String.valueOf(p.path("retryBackoff").asLong(200)));
    if (exactlyOnce) props.setProperty("transaction.timeout.ms", p.hasNonNull("transactionTimeout") ? String.valueOf(p.get("transactionTimeout").asLong()) : TRANSACTION_TIMEOUT_MS);
    if (exactlyOnce && !ctx.env.getCheckpointConfig().isCheckpointingEnabled()) ctx.env.enableCheckpointing(CHECKPOINT_MS);

    SingleOutputStreamOperator<Msg> messages = ctx.input().process(new Encode(ctx.id, ctx.connected("errors"), expr(p, "key"), expr(p, "value"), expr(p, "headers")),
        TypeInformation.of(Msg.class)).uid(ctx.helperUid("encode")).name(ctx.label + " (encode)");
    Integer partitions = p.hasNonNull("partitions") ? p.get("partitions").asInt() : null;
    KafkaSink<Msg> sink = KafkaSink.<Msg>builder()
        .setKafkaProducerConfig(props)
        .setRecordSerializer(new Serialize(topic, partitions, props))
        .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
        .setTransactionalIdPrefix(transactionalIdPrefix(p.path("transactionalIdPrefix").asText(null), ctx.pipelineName, ctx.id))
        .build();
    messages.sinkTo(sink).uid(ctx.id).name(ctx.label);
    if (ctx.connected("errors")) ctx.output("errors", messages.getSideOutput(NodeFunction.ERRORS));
  }

  /**
   * The transactional id prefix (KafkaSink appends "-<subtask>-<checkpoint>"). Transactional ids
   * are cluster-wide: two jobs whose ids collide fence and abort each other's transactions, so the
   * default is unique to the pipeline (its name) and node, and stable across restarts so a restarted
   * job aborts what its predecessor left open. `transactionalIdPrefix`, where given, replaces the
   * pipeline part as in the embedded sink (runtime/nodes/sink-kafka).
   */
  static String transactionalIdPrefix(String prefix, String pipelineName, String nodeId) {
    if (prefix != null && !prefix.isEmpty()) return prefix + "-" + nodeId;
    try {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      d.update(pipelineName.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(nodeId.getBytes(StandardCharsets.UTF_8));
      String h = java.util.HexFormat.of().formatHex(d.digest()).substring(0, 16);
      return "tributary-" + (nodeId.length() > 60 ? nodeId.substring(0, 60) : nodeId) + "-" + h;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Expr expr(JsonNode p, String name) {
    return p.hasNonNull(name) ? Expr.of(p.get(name).get("$expr")) : null;
  }

  /**
   * One message: key (null: none), value and headers as text. Headers are name, value, name, …
   * in the expression's order (a Map field would come back from Flink's MapSerializer as a HashMap).
   */
  public static final class Msg implements Serializable {
    private static final long serialVersionUID = 1L;
    public String key;
    public String value;
    public String[] headers;

    public Msg() {}

    Msg(String key, String value, String[] headers) {
      this.key = key;
      this.value = value;
      this.headers = headers;
    }
  }

  /** text() of the embedded sink: strings as they are, anything else as JSON. */
  static String text(Object v) {
    if (v instanceof String s) return s;
    String j = Json.stringify(v);
    return j == null ? "null" : j;
  }

  /** A record → its message, or to `errors` (NodeFunction's rule, with an output of its own type). */
  static final class Encode extends org.apache.flink.streaming.api.functions.ProcessFunction<Rec, Msg> {
    private static final long serialVersionUID = 1L;
    private final String nodeId;
    private final boolean errorsConnected;
    private final Expr key;
    private final Expr value;
    private final Expr headers;

    Encode(String id, boolean errors, Expr key, Expr value, Expr headers) {
      this.nodeId = id;
      this.errorsConnected = errors;
      this.key = key;
      this.value = value;
      this.headers = headers;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Msg> out) {
      Msg m;
      try {
        Object k = key == null ? null : key.eval(r.value);
        Object h = headers == null ? Js.UNDEFINED : headers.eval(r.value);
        String[] hs = null;
        if (!Js.isNil(h)) {
          if (!(h instanceof Map<?, ?> map)) throw new IllegalArgumentException("headers must be an object");
          java.util.List<String> pairs = new java.util.ArrayList<>();
          for (Map.Entry<?, ?> e : map.entrySet()) {
            if (Js.isNil(e.getValue())) continue;
            pairs.add((String) e.getKey());
            pairs.add(text(e.getValue()));
          }
          hs = pairs.toArray(String[]::new);
        }
        m = new Msg(Js.isNil(k) ? null : text(k), text(value == null ? r.value : value.eval(r.value)), hs);
      } catch (RuntimeException e) {
        errorTo(ctx, r, e.getMessage());
        return;
      }
      out.collect(m);
    }

    private void errorTo(Context ctx, Rec r, String message) {
      if (!errorsConnected) throw new NodeFunction.NodeFailure(nodeId, message);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("node", nodeId);
      e.put("error", message);
      e.put("record", r.value);
      ctx.output(NodeFunction.ERRORS, new Rec(e, null));
    }
  }

  /** Message → ProducerRecord; creates the topic with `partitions` when it is missing, as the embedded sink does at start. */
  static final class Serialize implements KafkaRecordSerializationSchema<Msg> {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final Integer partitions;
    private final Properties props;

    Serialize(String topic, Integer partitions, Properties props) {
      this.topic = topic;
      this.partitions = partitions;
      this.props = props;
    }

    @Override
    public void open(org.apache.flink.api.common.serialization.SerializationSchema.InitializationContext c, KafkaSinkContext s) throws Exception {
      if (partitions == null) return;
      Properties admin = new Properties();
      for (String k : new String[] {"bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.type", "ssl.truststore.certificates",
          "ssl.keystore.type", "ssl.keystore.certificate.chain", "ssl.keystore.key"}) {
        if (props.getProperty(k) != null) admin.setProperty(k, props.getProperty(k));
      }
      try (Admin a = Admin.create(admin)) {
        if (a.listTopics().names().get().contains(topic)) return;
        try {
          a.createTopics(java.util.List.of(new NewTopic(topic, partitions, (short) -1))).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
          // Another writer created it at the same moment; either way it exists now.
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
      }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Msg m, KafkaSinkContext ctx, Long ts) {
      ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, null, m.key == null ? null : m.key.getBytes(StandardCharsets.UTF_8), m.value.getBytes(StandardCharsets.UTF_8));
      if (m.headers != null) for (int i = 0; i < m.headers.length; i += 2) r.headers().add(new RecordHeader(m.headers[i], m.headers[i + 1].getBytes(StandardCharsets.UTF_8)));
      return r;
    }
  }
}

package dev.tributary.flink.kafka;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Kafka record → pipeline record, as runtime/nodes/source-kafka/decode.ts: a JSON object value
 * becomes the record, `format: string` gives `{value}`, and the metadata field holds topic,
 * partition, offset, timestamp, key and headers (the last value of a repeated header). A value
 * that is no record leaves as {@link Bad}; the record's key slot carries its position so the next
 * step can name it.
 */
final class KafkaDecode implements KafkaRecordDeserializationSchema<Rec> {
  private static final long serialVersionUID = 1L;
  private final boolean json;
  private final String metaField;

  KafkaDecode(String format, String metaField) {
    this.json = format.equals("json");
    this.metaField = metaField;
  }

  /** Where a record came from. */
  record Position(String topic, double partition, double offset) implements Serializable {}

  /** A message that is no record, with the reason. */
  static final class Bad implements Serializable {
    private static final long serialVersionUID = 1L;
    final String error;
    final Object record;
    final String topic;
    final double partition;
    final double offset;

    Bad(String error, Object record, Position at) {
      this.error = error;
      this.record = record;
      this.topic = at.topic();
      this.partition = at.partition();
      this.offset = at.offset();
    }
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> m, Collector<Rec> out) {
    Position at = new Position(m.topic(), m.partition(), m.offset());
    String text = m.value() == null ? null : new String(m.value(), StandardCharsets.UTF_8);
    if (!json) {
      Map<String, Object> rec = new LinkedHashMap<>();
      rec.put("value", text);
      out.collect(new Rec(meta(rec, m), at));
      return;
    }
    if (text == null) {
      out.collect(new Rec(new Bad("the record has no value (a tombstone); format json needs a JSON object", null, at), at));
      return;
    }
    Object v;
    try {
      v = Json.parse(text);
    } catch (IllegalArgumentException e) {
      out.collect(new Rec(new Bad("not valid JSON: " + e.getMessage(), text, at), at));
      return;
    }
    if (!(v instanceof Map)) {
      String got = v instanceof java.util.List ? "an array" : Json.stringify(v);
      out.collect(new Rec(new Bad("the value must be a JSON object, got " + got, text, at), at));
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> rec = (Map<String, Object>) v;
    out.collect(new Rec(meta(rec, m), at));
  }

  private Map<String, Object> meta(Map<String, Object> rec, ConsumerRecord<byte[], byte[]> m) {
    if (metaField == null) return rec;
    Map<String, Object> md = new LinkedHashMap<>();
    md.put("topic", m.topic());
    md.put("partition", (double) m.partition());
    md.put("offset", (double) m.offset());
    md.put("timestamp", (double) m.timestamp());
    md.put("key", m.key() == null ? null : new String(m.key(), StandardCharsets.UTF_8));
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Header h : m.headers()) headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    md.put("headers", headers);
    rec.put(metaField, md);
    return rec;
  }

  @Override
  public TypeInformation<Rec> getProducedType() {
    return NodeContext.REC;
  }
}

package dev.tributary.flink.kafka;

import dev.tributary.flink.connect.EnvRefs;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.UnsupportedNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * The Kafka client properties of a node's connection params (runtime/nodes/kafka-params.ts):
 * brokers with environment references resolved, TLS from PEM files (Kafka's PEM key and trust
 * stores), SASL PLAIN / SCRAM as JAAS configs.
 */
final class KafkaConnection {
  private KafkaConnection() {}

  /** `brokers` is a comma-separated string or a list of strings (kafka-params.ts), each with references. */
  static String brokers(JsonNode b, String nodeId) {
    if (!b.isArray()) return EnvRefs.resolve(b.asText(), nodeId, "brokers");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < b.size(); i++) {
      if (i > 0) out.append(',');
      out.append(EnvRefs.resolve(b.get(i).asText(), nodeId, "brokers." + i));
    }
    return out.toString();
  }

  static Properties of(NodeContext ctx) {
    JsonNode p = ctx.params;
    Properties props = new Properties();
    props.setProperty("bootstrap.servers", brokers(p.get("brokers"), ctx.id));
    props.setProperty("client.id", p.hasNonNull("clientId") ? p.get("clientId").asText() : "tributary-" + ctx.id);
    JsonNode ssl = p.get("ssl");
    JsonNode sasl = p.get("sasl");
    boolean tls = ssl != null && !ssl.isNull();
    boolean auth = sasl != null && !sasl.isNull();
    props.setProperty("security.protocol", tls ? (auth ? "SASL_SSL" : "SSL") : (auth ? "SASL_PLAINTEXT" : "PLAINTEXT"));
    if (tls) {
      if (!ssl.path("rejectUnauthorized").asBoolean(true)) {
        throw new UnsupportedNode(ctx.id, "ssl.rejectUnauthorized: false has no Kafka client setting (the Java client always verifies the chain); give `ssl.ca` instead");
      }
      if (ssl.hasNonNull("ca")) {
        props.setProperty("ssl.truststore.type", "PEM");
        props.setProperty("ssl.truststore.certificates", read(ctx, ssl.get("ca").asText(), "ssl.ca"));
      }
      if (ssl.hasNonNull("cert") || ssl.hasNonNull("key")) {
        props.setProperty("ssl.keystore.type", "PEM");
        props.setProperty("ssl.keystore.certificate.chain", read(ctx, ssl.path("cert").asText(), "ssl.cert"));
        props.setProperty("ssl.keystore.key", read(ctx, ssl.path("key").asText(), "ssl.key"));
      }
      // kafkajs checks the host name against the certificate, as the Java client does by default ("https").
    }
    if (auth) {
      String user = EnvRefs.resolve(sasl.get("username").asText(), ctx.id, "sasl.username");
      String pass = EnvRefs.resolve(sasl.get("password").asText(), ctx.id, "sasl.password");
      String mech = sasl.get("mechanism").asText();
      String module = mech.equals("plain") ? "org.apache.kafka.common.security.plain.PlainLoginModule" : "org.apache.kafka.common.security.scram.ScramLoginModule";
      props.setProperty("sasl.mechanism", mech.toUpperCase());
      props.setProperty("sasl.jaas.config", module + " required username=\"" + jaas(user) + "\" password=\"" + jaas(pass) + "\";");
    }
    return props;
  }

  private static String jaas(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String read(NodeContext ctx, String path, String param) {
    try {
      return Files.readString(Path.of(ctx.path(path)));
    } catch (IOException e) {
      throw new UnsupportedNode(ctx.id, param + ": cannot read " + path + ": " + e.getMessage());
    }
  }
}

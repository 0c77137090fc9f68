package dev.tributary.flink.email;

import dev.tributary.flink.Rec;
import dev.tributary.flink.connect.EnvRefs;
import dev.tributary.flink.redis.KeyTemplate;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * sink.email as Flink's Async I/O (AsyncDataStream.unorderedWait, `capacity` messages in flight)
 * on Jakarta Mail ({@link EmailDelivery}), the shape the node's doc names, at parallelism 1; the
 * operator's output is the `errors` port, as for sink.http. At-least-once: a restored job sends again what it sent
 * since the checkpoint. `exactly-once` (its Redis claims per checkpoint epoch) is not translated.
 */
public final class EmailSinkTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    if (p.path("deliveryGuarantee").asText("at-least-once").equals("exactly-once")) {
      throw new UnsupportedNode(ctx.id, "deliveryGuarantee: exactly-once is not translated yet (its messages go out per completed checkpoint, claimed in Redis)");
    }
    String security = p.path("security").asText("starttls");
    int port = security.equals("tls") ? 465 : 587;
    if (p.hasNonNull("port")) {
      String text = p.get("port").isNumber() ? p.get("port").asText() : EnvRefs.resolve(p.get("port").asText(), ctx.id, "port");
      try {
        port = Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) throw new UnsupportedNode(ctx.id, "port: " + dev.tributary.flink.expr.Json.stringify(text) + " is not a port number");
    }
    String user = p.hasNonNull("user") ? EnvRefs.resolve(p.get("user").asText(), ctx.id, "user") : null;
    String password = p.hasNonNull("password") ? EnvRefs.resolve(p.get("password").asText(), ctx.id, "password") : null;
    String ca = p.hasNonNull("ca") ? EmailDelivery.readCa(ctx.path(p.get("ca").asText()), ctx.id) : null;
    JsonNode rate = p.get("rateLimit");
    EmailDelivery.Settings s = new EmailDelivery.Settings(EnvRefs.resolve(p.get("host").asText(), ctx.id, "host"), port, security, ca,
        p.path("rejectUnauthorized").asBoolean(true), user, password, EnvRefs.resolve(p.get("from").asText(), ctx.id, "from"),
        template(p, "to", false), template(p, "subject", false), template(p, "text", false), template(p, "html", true),
        p.path("retries").asInt(3), p.path("backoff").asLong(1000), p.path("timeout").asLong(30_000), p.path("capacity").asInt(2),
        rate == null || rate.isNull() ? null : rate.get("messages").asInt(), rate == null || rate.isNull() ? 0 : rate.path("per").asLong(1000));
    EmailDelivery fn = new EmailDelivery(ctx.id, ctx.connected("errors"), s);
    // One instance, as the embedded runtime runs a sink once at any parallelism: `capacity` and
    // `rateLimit` hold for the node, not per parallel instance (n instances would send n times the
    // rate a provider allows).
    SingleOutputStreamOperator<Rec> errors = AsyncDataStream.unorderedWait(ctx.input(), fn, EmailDelivery.budget(s), TimeUnit.MILLISECONDS, s.capacity())
        .setParallelism(1).uid(ctx.id).name(ctx.label);
    if (ctx.connected("errors")) ctx.output("errors", errors);
  }

  private static KeyTemplate template(JsonNode p, String name, boolean html) {
    return p.hasNonNull(name) ? new KeyTemplate(p.get(name).asText(), name, html) : null;
  }
}

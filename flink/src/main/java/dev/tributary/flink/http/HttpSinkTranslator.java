package dev.tributary.flink.http;

import dev.tributary.flink.Rec;
import dev.tributary.flink.connect.EnvRefs;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * sink.http as Flink's Async I/O (AsyncDataStream.unorderedWait, `capacity` requests in flight):
 * one request per record, retried inside {@link HttpDelivery} as runtime/connectors/http/post.ts
 * retries (network errors, timeouts, 408, 429 and 5xx; exponential backoff; Retry-After honoured up
 * to 30 s — which Flink's AsyncRetryStrategy cannot express, hence the retries live in the
 * function). The operator's output is the `errors` port: a record that still fails leaves as
 * `{node, error, record, status}`, or fails the job naming the node when that port has no edge.
 * The URL and header values resolve their environment references where the job is built; the
 * URL in messages is the one written in the pipeline, with passwords and query values masked.
 */
public final class HttpSinkTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    String written = p.get("url").asText();
    Map<String, String> headers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = p.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      headers.put(h.getKey(), EnvRefs.resolve(h.getValue().asText(), ctx.id, "headers." + h.getKey()));
    }
    URI url;
    try {
      url = new URI(EnvRefs.resolve(written, ctx.id, "url").trim());
    } catch (java.net.URISyntaxException e) {
      throw new UnsupportedNode(ctx.id, "url: not a valid URL: " + shown(written));
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https")) throw new UnsupportedNode(ctx.id, "url: only http:// and https:// URLs are sent, got " + scheme + ":");
    // user:password@ in the URL is sent as Basic authorization, as the embedded sink does.
    if (url.getRawUserInfo() != null) {
      if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("authorization"))) {
        String[] up = url.getRawUserInfo().split(":", 2);
        String cred = URLDecoder.decode(up[0], StandardCharsets.UTF_8) + ":" + (up.length > 1 ? URLDecoder.decode(up[1], StandardCharsets.UTF_8) : "");
        headers.put("authorization", "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8)));
      }
      try {
        url = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getRawPath(), url.getRawQuery(), url.getRawFragment());
      } catch (java.net.URISyntaxException e) {
        throw new UnsupportedNode(ctx.id, "url: not a valid URL: " + shown(written));
      }
    }
    long timeout = p.path("timeout").asLong(10_000);
    long backoff = p.path("backoff").asLong(500);
    int retries = p.path("retries").asInt(3);
    int capacity = p.path("capacity").asInt(8);
    Expr body = p.hasNonNull("body") ? Expr.of(p.get("body").get("$expr")) : null;
    HttpDelivery fn = new HttpDelivery(ctx.id, ctx.connected("errors"), url.toString(), p.path("method").asText("POST"), headers, body, retries, backoff, timeout,
        p.path("method").asText("POST") + " " + shown(written));
    // Flink's own timeout is only a backstop: every attempt has its own, and the waits between them are counted in.
    SingleOutputStreamOperator<Rec> errors = AsyncDataStream.unorderedWait(ctx.input(), fn, HttpDelivery.budget(retries, backoff, timeout), TimeUnit.MILLISECONDS, capacity)
        .uid(ctx.id).name(ctx.label);
    if (ctx.connected("errors")) ctx.output("errors", errors);
  }

  /** redactUrl of runtime/connectors/redact.ts: the password and query values masked. */
  public static String shown(String url) {
    String s = url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^:@/]*):[^@/]*@", "$1:***@");
    int q = s.indexOf('?');
    if (q < 0) return s;
    int hash = s.indexOf('#', q);
    String query = s.substring(q + 1, hash < 0 ? s.length() : hash);
    StringBuilder out = new StringBuilder(s.substring(0, q + 1));
    String[] parts = query.split("&", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) out.append('&');
      int eq = parts[i].indexOf('=');
      out.append(eq < 0 ? parts[i] : parts[i].substring(0, eq + 1) + "***");
    }
    if (hash >= 0) out.append(s.substring(hash));
    return out.toString();
  }
}

package dev.tributary.flink.infer;

import dev.tributary.flink.Rec;
import dev.tributary.flink.connect.EnvRefs;
import dev.tributary.flink.http.HttpSinkTranslator;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.UnsupportedNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * infer on Flink. `http`: Flink's Async I/O ({@code AsyncDataStream.orderedWait} /
 * {@code unorderedWait} per `ordered`, `capacity` elements in the queue, `timeout` per element —
 * Flink docs, "Async I/O for External Data Access": the timeout, capacity and result order there
 * are the embedded node's), with {@link HttpScoring} gathering records into requests; `onnx`: ONNX
 * Runtime for Java in {@link OnnxOperator}, one session per subtask. A split step sends scored
 * records to `out` and failures to `errors`, or fails the job naming the node when `errors` has
 * no edge.
 */
public final class InferTranslator implements NodeTranslator {
  static final TypeInformation<Tuple2<Boolean, Rec>> RESULT = Types.TUPLE(Types.BOOLEAN, NodeContext.REC);
  /** Headers the JDK's HttpClient sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    String kind = p.get("model").get("kind").asText();
    Scored shape;
    try {
      shape = new Scored(ctx.id, p);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedNode(ctx.id, e.getMessage());
    }
    if (kind.equals("onnx")) {
      OnnxOperator.translate(ctx, shape);
      return;
    }
    if (!kind.equals("http")) throw new UnsupportedNode(ctx.id, "infer with a " + kind + " model is not translated yet");
    JsonNode m = p.get("model");
    String written = m.get("url").asText();
    Map<String, String> headers = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.path("headers").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> h = it.next();
      String name = h.getKey().toLowerCase();
      if (RESTRICTED.contains(name)) throw new UnsupportedNode(ctx.id, "model.headers." + h.getKey() + ": the Java HTTP client sets this header itself");
      // Leading and trailing HTTP whitespace is dropped, as fetch normalizes a header value (a secret read from a file often ends in a newline).
      headers.put(name, EnvRefs.resolve(h.getValue().asText(), ctx.id, "model.headers." + h.getKey()).replaceAll("^[\\t\\n\\r ]+|[\\t\\n\\r ]+$", ""));
    }
    // Trimmed as the URL parser the embedded node uses strips leading and trailing C0 controls and spaces (it was validated trimmed, then used as it was).
    String base = EnvRefs.resolve(written, ctx.id, "model.url").trim().replaceAll("/+$", "");
    URI url;
    try {
      url = new URI(base);
    } catch (java.net.URISyntaxException e) {
      throw new UnsupportedNode(ctx.id, "model.url: not a valid URL: " + HttpSinkTranslator.shown(written));
    }
    // user:password@ in the URL goes as Basic authorization, as Node's client sends it.
    if (url.getRawUserInfo() != null) {
      if (!headers.containsKey("authorization")) {
        String[] up = url.getRawUserInfo().split(":", 2);
        String cred = URLDecoder.decode(up[0], StandardCharsets.UTF_8) + ":" + (up.length > 1 ? URLDecoder.decode(up[1], StandardCharsets.UTF_8) : "");
        headers.put("authorization", "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8)));
      }
      try {
        base = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getRawPath(), url.getRawQuery(), url.getRawFragment()).toString();
      } catch (java.net.URISyntaxException e) {
        throw new UnsupportedNode(ctx.id, "model.url: not a valid URL: " + HttpSinkTranslator.shown(written));
      }
    }
    long timeout = p.path("timeout").asLong(5_000);
    HttpScoring fn = new HttpScoring(shape, new Protocol(p), base, HttpSinkTranslator.shown(written).replaceAll("/+$", ""), headers, p.path("batchSize").asInt(1024),
        p.path("concurrency").asInt(4), p.path("linger").asLong(2), timeout, p.path("backoff").asLong(50), p.path("retries").asInt(3));
    int capacity = p.path("capacity").asInt(10_000);
    DataStream<Rec> in = ctx.input();
    SingleOutputStreamOperator<Tuple2<Boolean, Rec>> scored = p.path("ordered").asBoolean(true)
        ? AsyncDataStream.orderedWait(in, fn, timeout, TimeUnit.MILLISECONDS, capacity)
        : AsyncDataStream.unorderedWait(in, fn, timeout, TimeUnit.MILLISECONDS, capacity);
    scored.returns(RESULT).uid(ctx.id).name(ctx.label);
    split(ctx, scored);
  }

  /** Scored records to `out`, failures to `errors` (or the job fails, naming the node, as the embedded node does without that edge). */
  static void split(NodeContext ctx, DataStream<Tuple2<Boolean, Rec>> scored) {
    SingleOutputStreamOperator<Rec> out = scored.process(new Split(ctx.id, ctx.connected("errors")), NodeContext.REC).uid(ctx.helperUid("split")).name(ctx.label + " (split)");
    ctx.output("out", out);
    if (ctx.connected("errors")) ctx.output("errors", out.getSideOutput(NodeFunction.ERRORS));
  }

  private static final class Split extends ProcessFunction<Tuple2<Boolean, Rec>, Rec> {
    private static final long serialVersionUID = 1L;
    private final String nodeId;
    private final boolean errorsConnected;

    Split(String nodeId, boolean errorsConnected) {
      this.nodeId = nodeId;
      this.errorsConnected = errorsConnected;
    }

    @Override
    public void processElement(Tuple2<Boolean, Rec> t, Context ctx, Collector<Rec> out) {
      if (t.f0) {
        out.collect(t.f1);
        return;
      }
      if (!errorsConnected) {
        Map<?, ?> e = (Map<?, ?>) t.f1.value;
        throw NodeFunction.failure(nodeId, String.valueOf(e.get("error")), e.get("record"));
      }
      ctx.output(NodeFunction.ERRORS, t.f1);
    }
  }
}

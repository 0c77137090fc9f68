package dev.tributary.flink.infer;

import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.JsNumber;
import dev.tributary.flink.expr.Json;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * Request and response shapes of the model-server protocols, as runtime/nodes/infer/protocols.ts
 * writes and reads them (the same bodies byte for byte, the same messages): kserve-v2 (Open
 * Inference Protocol REST, JSON or Triton's binary tensor data extension), tf-serving (REST
 * predict), mlflow (`/invocations`), openai (chat completions, embeddings) and a JSON template.
 */
final class Protocol implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String protocol;
  private final String name;
  private final String version;
  private final String datatype;
  private final boolean binary;
  private final String layout;
  private final String mode;
  private final Expr prompt;
  private final String system;
  private final Double temperature;
  private final Expr request;
  private final String response;
  private final boolean batched;
  private final Map<String, Features> inputs;

  Protocol(JsonNode params) {
    JsonNode m = params.get("model");
    protocol = m.get("protocol").asText();
    name = m.hasNonNull("name") ? m.get("name").asText() : null;
    version = m.hasNonNull("version") ? m.get("version").asText() : null;
    datatype = m.path("datatype").asText("FP32");
    binary = m.path("binary").asBoolean(false);
    layout = m.path("layout").asText("rows");
    mode = m.path("mode").asText("chat");
    prompt = m.hasNonNull("prompt") ? Expr.of(m.get("prompt").get("$expr")) : null;
    system = m.hasNonNull("system") ? m.get("system").asText() : null;
    temperature = m.hasNonNull("temperature") ? m.get("temperature").asDouble() : null;
    request = m.hasNonNull("request") ? Expr.of(m.get("request").get("$expr")) : null;
    response = m.hasNonNull("response") ? m.get("response").asText() : null;
    batched = m.path("batched").asBoolean(false);
    inputs = Features.of(params, "input");
  }

  /** The version a record gets when the server reports none. */
  String defaultVersion() {
    return version == null ? "http" : version;
  }

  /** Most records one request may carry. */
  int maxPerRequest(int batchSize) {
    if (protocol.equals("openai") && mode.equals("chat")) return 1;
    if (protocol.equals("json") && !batched) return 1;
    return batchSize;
  }

  record Encoded(String path, byte[] body, Map<String, String> headers, Map<Integer, String> bad, int[] rows) {}

  record Decoded(Map<String, Outputs.Column> cols, String version) {}

  private static final Map<String, String> JSON_HEADERS = Map.of("content-type", "application/json");

  private String modelPath() {
    return "/models/" + encodeURIComponent(name) + (version != null ? "/versions/" + encodeURIComponent(version) : "");
  }

  /** One packed row-major tensor per input (good rows only), the bad rows left out. */
  private record Tensors(List<double[]> data, Map<Integer, String> bad, int[] rows) {}

  private Tensors tensors(List<Object> recs) {
    Map<Integer, String> bad = new HashMap<>();
    List<double[]> bufs = new ArrayList<>();
    boolean kserve = protocol.equals("kserve-v2");
    for (Features f : inputs.values()) {
      double[] buf = new double[recs.size() * f.width()];
      Map<Integer, String> b = f.fill(recs, buf, new HashMap<>());
      b.forEach(bad::putIfAbsent);
      if (kserve && !datatype.equals("FP64")) outOfRange(buf, f, bad);
      bufs.add(buf);
    }
    int good = 0;
    for (int i = 0; i < recs.size(); i++) if (!bad.containsKey(i)) good++;
    int[] rows = new int[good];
    for (int i = 0, r = 0; i < recs.size(); i++) if (!bad.containsKey(i)) rows[r++] = i;
    boolean integer = kserve && (datatype.equals("INT64") || datatype.equals("INT32"));
    List<double[]> data = new ArrayList<>();
    int j = 0;
    for (Features f : inputs.values()) {
      int w = f.width();
      double[] buf = bufs.get(j++);
      double[] packed = new double[rows.length * w];
      for (int r = 0; r < rows.length; r++) System.arraycopy(buf, rows[r] * w, packed, r * w, w);
      if (integer) for (int k = 0; k < packed.length; k++) packed[k] = trunc(packed[k]);
      data.add(packed);
    }
    return new Tensors(data, bad, rows);
  }

  private static double trunc(double v) {
    return v < 0 ? Math.ceil(v) : Math.floor(v);
  }

  /** Values the tensor's datatype cannot hold (FP32 beyond ±3.4e38, integers past 32 or 64 bits) fail their record. */
  private void outOfRange(double[] buf, Features f, Map<Integer, String> bad) {
    int w = f.width();
    double lim = switch (datatype) {
      case "FP32" -> 3.4028235677973366e38;
      case "INT32" -> 2147483648.0;
      default -> 9223372036854775808.0;
    };
    boolean fp = datatype.equals("FP32");
    for (int k = 0; k < buf.length; k++) {
      double v = buf[k];
      boolean ok = fp ? v < lim && v > -lim : trunc(v) < lim && trunc(v) >= -lim;
      if (ok) continue;
      bad.putIfAbsent(k / w, "feature " + Json.stringify(f.srcs[k % w]) + " is " + JsNumber.toString(v) + ", beyond what a " + datatype + " tensor holds");
    }
  }

  private static List<Object> rowArrays(double[] data, int w) {
    List<Object> out = new ArrayList<>();
    for (int r = 0; r < data.length / w; r++) {
      List<Object> row = new ArrayList<>(w);
      for (int k = 0; k < w; k++) row.add(data[r * w + k]);
      out.add(row);
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Encoded kserve(List<Object> recs) {
    Tensors t = tensors(recs);
    String path = "/v2" + modelPath() + "/infer";
    List<String> names = new ArrayList<>(inputs.keySet());
    List<Features> feats = new ArrayList<>(inputs.values());
    if (!binary) {
      StringBuilder w = new StringBuilder("{\"inputs\":[");
      for (int j = 0; j < t.data.size(); j++) {
        if (j > 0) w.append(',');
        w.append(head(names.get(j), t.rows.length, feats.get(j).width())).append(",\"data\":");
        jsonArray(w, t.data.get(j));
        w.append('}');
      }
      w.append("]}");
      return new Encoded(path, utf8(w.toString()), JSON_HEADERS, t.bad, t.rows);
    }
    List<byte[]> raw = new ArrayList<>();
    for (double[] d : t.data) {
      int per = datatype.equals("FP64") || datatype.equals("INT64") ? 8 : 4;
      ByteBuffer b = ByteBuffer.allocate(d.length * per).order(ByteOrder.LITTLE_ENDIAN);
      for (double x : d) {
        switch (datatype) {
          case "FP64" -> b.putDouble(x);
          case "FP32" -> b.putFloat((float) x);
          case "INT32" -> b.putInt((int) (long) x);
          default -> b.putLong((long) x);
        }
      }
      raw.add(b.array());
    }
    StringBuilder json = new StringBuilder("{\"inputs\":[");
    for (int j = 0; j < raw.size(); j++) {
      if (j > 0) json.append(',');
      json.append(head(names.get(j), t.rows.length, feats.get(j).width())).append(",\"parameters\":{\"binary_data_size\":").append(raw.get(j).length).append("}}");
    }
    json.append("],\"parameters\":{\"binary_data_output\":true}}");
    byte[] h = utf8(json.toString());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(h);
    raw.forEach(body::writeBytes);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("content-type", "application/octet-stream");
    headers.put("inference-header-content-length", Integer.toString(h.length));
    return new Encoded(path, body.toByteArray(), headers, t.bad, t.rows);
  }

  private String head(String input, int rows, int width) {
    return "{\"name\":" + Json.stringify(input) + ",\"shape\":[" + rows + "," + width + "],\"datatype\":\"" + datatype + "\"";
  }

  private void jsonArray(StringBuilder w, double[] d) {
    w.append('[');
    for (int i = 0; i < d.length; i++) {
      if (i > 0) w.append(',');
      if (datatype.equals("FP32")) Float32Text.write(w, d[i]);
      else w.append(Double.isFinite(d[i]) ? JsNumber.toString(d[i]) : "null");
    }
    w.append(']');
  }

  Encoded encode(List<Object> recs) {
    switch (protocol) {
      case "kserve-v2":
        return kserve(recs);
      case "tf-serving": {
        Tensors t = tensors(recs);
        List<String> names = new ArrayList<>(inputs.keySet());
        List<Features> feats = new ArrayList<>(inputs.values());
        List<List<Object>> arrays = new ArrayList<>();
        for (int j = 0; j < t.data.size(); j++) arrays.add(rowArrays(t.data.get(j), feats.get(j).width()));
        boolean single = names.size() == 1 && names.get(0).equals("input");
        Map<String, Object> body = new LinkedHashMap<>();
        if (layout.equals("rows")) {
          if (single) body.put("instances", arrays.get(0));
          else {
            List<Object> inst = new ArrayList<>();
            for (int r = 0; r < t.rows.length; r++) {
              Map<String, Object> o = new LinkedHashMap<>();
              for (int j = 0; j < names.size(); j++) o.put(names.get(j), arrays.get(j).get(r));
              inst.add(Json.jsKeyOrder(o));
            }
            body.put("instances", inst);
          }
        } else if (single) body.put("inputs", arrays.get(0));
        else {
          Map<String, Object> o = new LinkedHashMap<>();
          for (int j = 0; j < names.size(); j++) o.put(names.get(j), arrays.get(j));
          body.put("inputs", Json.jsKeyOrder(o));
        }
        return new Encoded("/v1" + modelPath() + ":predict", utf8(Json.stringify(body)), JSON_HEADERS, t.bad, t.rows);
      }
      case "mlflow": {
        Tensors t = tensors(recs);
        List<Features> feats = new ArrayList<>(inputs.values());
        List<Object> flat = new ArrayList<>();
        for (int r = 0; r < t.rows.length; r++) {
          List<Object> row = new ArrayList<>();
          for (int j = 0; j < feats.size(); j++) {
            int w = feats.get(j).width();
            for (int k = 0; k < w; k++) row.add(t.data.get(j)[r * w + k]);
          }
          flat.add(row);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (layout.equals("rows")) {
          Map<String, Object> df = new LinkedHashMap<>();
          df.put("columns", new ArrayList<Object>(Features.sources(inputs)));
          df.put("data", flat);
          body.put("dataframe_split", df);
        } else body.put("inputs", flat);
        return new Encoded("/invocations", utf8(Json.stringify(body)), JSON_HEADERS, t.bad, t.rows);
      }
      case "openai": {
        Map<Integer, String> bad = new HashMap<>();
        List<Integer> rows = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < recs.size(); i++) {
          try {
            values.add(prompt.eval(recs.get(i)));
            rows.add(i);
          } catch (RuntimeException err) {
            bad.put(i, "prompt: " + err.getMessage());
          }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", name);
        if (mode.equals("embeddings")) {
          List<Object> input = new ArrayList<>();
          for (Object v : values) input.add(Js.toStr(v));
          body.put("input", input);
          return new Encoded("/embeddings", utf8(Json.stringify(body)), JSON_HEADERS, bad, ints(rows));
        }
        Object v = values.isEmpty() ? Js.UNDEFINED : values.get(0);
        List<Object> messages = new ArrayList<>();
        if (system != null) messages.add(message("system", system));
        if (v instanceof List<?> l) messages.addAll(l);
        else messages.add(message("user", Js.toStr(v)));
        body.put("messages", messages);
        if (temperature != null) body.put("temperature", temperature);
        return new Encoded("/chat/completions", utf8(Json.stringify(body)), JSON_HEADERS, bad, ints(rows));
      }
      default: {
        Map<Integer, String> bad = new HashMap<>();
        List<Integer> rows = new ArrayList<>();
        List<Object> bodies = new ArrayList<>();
        for (int i = 0; i < recs.size(); i++) {
          try {
            bodies.add(request.eval(recs.get(i)));
            rows.add(i);
          } catch (RuntimeException err) {
            bad.put(i, "request: " + err.getMessage());
          }
        }
        String text = Json.stringify(batched ? bodies : bodies.isEmpty() ? Js.UNDEFINED : bodies.get(0));
        return new Encoded("", utf8(text == null ? "null" : text), JSON_HEADERS, bad, ints(rows));
      }
    }
  }

  private static Map<String, Object> message(String role, String content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  private static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  static IllegalArgumentException fail(String msg) {
    return new IllegalArgumentException(msg);
  }

  /** Reads a response body (JSON, or kserve-v2's JSON header and binary tensors) for n rows. */
  Decoded decode(byte[] body, String headerLength, int n) {
    double split = headerLength == null ? body.length : Js.stringToNumber(headerLength);
    if (split != Math.rint(split) || split < 0 || split > body.length) {
      throw fail("the response's Inference-Header-Content-Length (" + headerLength + ") does not fit its " + body.length + " bytes");
    }
    int at = (int) split;
    Object json;
    String text = new String(body, 0, at, StandardCharsets.UTF_8);
    try {
      if (text.isBlank()) throw fail("empty");
      json = Json.parse(text);
    } catch (RuntimeException notJson) {
      throw fail("the response is not JSON");
    }
    return decodeJson(json, n, body, at);
  }

  /** `v?.[key]`: undefined for null or undefined, else JavaScript's property read. */
  private static Object opt(Object v, String key) {
    return Js.isNil(v) ? Js.UNDEFINED : Js.get(v, key);
  }

  private static List<Object> need(String what, Object v, int n) {
    if (!(v instanceof List<?> l)) throw fail("the response has no " + what + " array");
    if (l.size() != n) throw fail("the response's " + what + " has " + l.size() + " entries for " + n + " records");
    @SuppressWarnings("unchecked")
    List<Object> out = (List<Object>) l;
    return out;
  }

  private static String join(List<?> l) {
    List<String> parts = new ArrayList<>();
    for (Object x : l) parts.add(Js.isNil(x) ? "" : Js.toStr(x));
    return String.join(", ", parts);
  }

  private Decoded decodeJson(Object res, int n, byte[] body, int binaryFrom) {
    Map<String, Outputs.Column> cols = new LinkedHashMap<>();
    Object o = res == null ? Map.of() : res;
    switch (protocol) {
      case "kserve-v2": {
        if (!(opt(o, "outputs") instanceof List<?> outs)) throw fail("the response has no outputs");
        int at = binaryFrom;
        for (Object t : outs) {
          String name = Js.toStr(opt(t, "name"));
          List<?> shape = opt(t, "shape") instanceof List<?> s ? s : List.of((double) n);
          double w = 1;
          for (int k = 1; k < shape.size(); k++) w *= Js.toNumber(shape.get(k));
          if (!(shape.get(0) instanceof Number s0 && s0.doubleValue() == n)) throw fail("output '" + name + "' has shape [" + join(shape) + "] for " + n + " records");
          List<Object> data;
          Object size = opt(opt(t, "parameters"), "binary_data_size");
          String dt = Js.toStr(opt(t, "datatype"));
          if (size != Js.UNDEFINED) {
            if (!(size instanceof Number sz && sz.doubleValue() == Math.rint(sz.doubleValue()) && sz.doubleValue() >= 0)) throw fail("output '" + name + "' has binary_data_size " + (Json.stringify(size) == null ? "undefined" : Json.stringify(size)));
            double bytes = ((Number) size).doubleValue();
            if (at + bytes > body.length) throw fail("output '" + name + "' says it has " + JsNumber.toString(bytes) + " bytes; the response has " + (body.length - at) + " left");
            Integer per = BinaryTensors.ELEMENT_BYTES.get(dt);
            if (per != null && bytes != per * n * w) throw fail("output '" + name + "' has " + JsNumber.toString(bytes) + " bytes for shape [" + join(shape) + "] of " + dt);
            data = BinaryTensors.read(dt, body, at, (int) bytes, "output '" + name + "'");
            at += (int) bytes;
          } else {
            if (!(opt(t, "data") instanceof List<?> d)) throw fail("output '" + name + "' has no data");
            data = new ArrayList<>(d);
          }
          if (data.size() != n * w) throw fail("output '" + name + "' has " + data.size() + " values for shape [" + join(shape) + "]");
          cols.put(name, Outputs.tensor(data, (int) w));
        }
        Object v = opt(o, "model_version");
        return new Decoded(cols, v instanceof String s ? s : version);
      }
      case "tf-serving": {
        Object out = opt(o, "predictions");
        if (Js.isNil(out)) out = opt(o, "outputs");
        if (out instanceof Map<?, ?> named) {
          for (Map.Entry<?, ?> e : named.entrySet()) cols.put((String) e.getKey(), Outputs.rows(need("outputs." + e.getKey(), e.getValue(), n)));
        } else cols.put("predictions", Outputs.rows(need("predictions", out, n)));
        return new Decoded(cols, version);
      }
      case "mlflow": {
        Object p = res instanceof List ? res : opt(o, "predictions");
        cols.put("predictions", Outputs.rows(need("predictions", p, n)));
        return new Decoded(cols, null);
      }
      case "openai": {
        if (mode.equals("embeddings")) {
          List<Object> data = new ArrayList<>(need("data", opt(o, "data"), n));
          // Array.prototype.sort is stable, as List.sort is.
          data.sort((a, b) -> Double.compare(index(a), index(b)));
          List<Object> emb = new ArrayList<>();
          for (Object d : data) emb.add(opt(d, "embedding"));
          cols.put("embedding", Outputs.rows(emb));
        } else {
          Object c = opt(opt(opt(opt(o, "choices"), "0"), "message"), "content");
          if (c == Js.UNDEFINED) throw fail("the response has no choices[0].message.content");
          cols.put("content", Outputs.rows(new ArrayList<>(java.util.Collections.singletonList(c))));
        }
        Object model = opt(o, "model");
        return new Decoded(cols, model instanceof String s ? s : null);
      }
      default: {
        Object v = res;
        if (response != null && !response.isEmpty()) {
          for (String p : response.split("\\.", -1)) {
            if (!(v instanceof Map || v instanceof List)) {
              v = Js.UNDEFINED;
              break;
            }
            v = Js.get(v, p);
          }
        }
        if (v == Js.UNDEFINED) throw fail("the response has nothing at '" + response + "'");
        cols.put("result", Outputs.rows(batched ? need(response != null ? response : "response", v, n) : new ArrayList<>(java.util.Collections.singletonList(v))));
        return new Decoded(cols, version);
      }
    }
  }

  /** `a.index ?? 0` of an embeddings entry, as the comparator's number. */
  private static double index(Object d) {
    Object i = opt(d, "index");
    return Js.isNil(i) ? 0 : Js.toNumber(i);
  }

  /** encodeURIComponent: unreserved characters kept, the rest as %XX of their UTF-8 bytes. */
  static String encodeURIComponent(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-_.!~*'()".indexOf(c) >= 0) out.append(c);
      else out.append('%').append(String.format("%02X", b & 0xff));
    }
    return out.toString();
  }
}

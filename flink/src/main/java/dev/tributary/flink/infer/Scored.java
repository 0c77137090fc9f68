package dev.tributary.flink.infer;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import java.io.Serializable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * How the infer node shapes what leaves it (runtime/nodes/infer/operator.ts): a scored record is
 * the input's fields, then the outputs, then `versionField`; a record that cannot be scored
 * leaves with the `fallback` fields (and `versionField` null) or, without a fallback, as the
 * `errors` record `{node, error, record}`. Results travel as (true, record) for `out` and
 * (false, error record) for `errors`; {@link InferTranslator} splits them.
 */
final class Scored implements Serializable {
  private static final long serialVersionUID = 1L;

  final String nodeId;
  final String versionField;
  /** null: every output into a field of its own name. */
  final List<Outputs.Ref> refs;
  private final Map<String, Object> fallback;
  final Expr cacheKey;
  final long cacheTtl;
  final int cacheSize;

  Scored(String nodeId, JsonNode p) {
    this.nodeId = nodeId;
    versionField = p.path("versionField").asText("modelVersion");
    if (p.hasNonNull("outputs")) {
      Map<String, String> o = new LinkedHashMap<>();
      p.get("outputs").fields().forEachRemaining(e -> o.put(e.getKey(), e.getValue().asText()));
      refs = Outputs.parse(o);
    } else refs = null;
    if (p.hasNonNull("fallback")) {
      Map<String, Object> f = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = p.get("fallback").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        f.put(e.getKey(), Json.value(e.getValue()));
      }
      f.put(versionField, null);
      fallback = f;
    } else fallback = null;
    JsonNode c = p.path("cache");
    cacheKey = c.hasNonNull("key") ? Expr.of(c.get("key").get("$expr")) : null;
    cacheTtl = c.path("ttl").asLong(60_000);
    cacheSize = c.path("size").asInt(10_000);
  }

  static Map<String, Object> fields(Object rec) {
    Map<String, Object> o = new LinkedHashMap<>();
    if (rec instanceof Map<?, ?> m) m.forEach((k, v) -> o.put((String) k, v));
    return o;
  }

  Tuple2<Boolean, Rec> failure(Rec r, String message) {
    if (fallback != null) {
      Map<String, Object> o = fields(r.value);
      o.putAll(fallback);
      return Tuple2.of(true, new Rec(o, r.key));
    }
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("node", nodeId);
    e.put("error", message);
    e.put("record", r.value);
    return Tuple2.of(false, new Rec(e, r.key));
  }

  /** The outputs of a record (row `row` of its batch) and the version, as they go into the record and the cache. */
  Map<String, Object> outputs(List<Outputs.Ref> used, List<IntFunction<Object>> read, int row, String version) {
    Map<String, Object> c = new LinkedHashMap<>();
    for (int j = 0; j < used.size(); j++) c.put(used.get(j).field(), read.get(j).apply(row));
    c.put(versionField, version);
    return c;
  }

  static Tuple2<Boolean, Rec> scored(Rec r, Map<String, Object> outputs) {
    Map<String, Object> o = fields(r.value);
    o.putAll(outputs);
    return Tuple2.of(true, new Rec(o, r.key));
  }

  /** JSON.stringify(key(record)) ?? 'undefined': the cache's key for a record. */
  String cacheKeyOf(Object rec) {
    String k = Json.stringify(cacheKey.eval(rec));
    return k == null ? "undefined" : k;
  }

  /** The node's TtlCache (runtime/nodes/lookup-redis/cache.ts): entries expire `ttl` after their write; the oldest goes first when full. */
  static final class Cache extends LinkedHashMap<String, Object[]> {
    private static final long serialVersionUID = 1L;
    private final long ttl;
    private final int max;

    Cache(long ttl, int max) {
      this.ttl = ttl;
      this.max = max;
    }

    @SuppressWarnings("unchecked")
    synchronized Map<String, Object> lookup(String key, long now) {
      Object[] e = get(key);
      if (e == null) return null;
      if ((long) e[1] <= now) {
        remove(key);
        return null;
      }
      return (Map<String, Object>) e[0];
    }

    synchronized void store(String key, Map<String, Object> value, long now) {
      remove(key);
      if (size() >= max) {
        Iterator<String> it = keySet().iterator();
        it.next();
        it.remove();
      }
      put(key, new Object[] {value, now + ttl});
    }
  }

  static boolean nil(Object v) {
    return Js.isNil(v);
  }
}

package dev.tributary.flink.redis;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Protocol;

/**
 * lookup.redis's lookup (runtime/nodes/lookup-redis/operator.ts) as Flink Async I/O: the key from
 * the template, HGETALL or GET on a pooled Jedis connection run on this function's own threads
 * (Jedis blocks; a thread per connection, so `capacity` in flight need no more than the pool), the
 * value decoded and put into the record as the embedded node does. A record that cannot be looked
 * up completes as a {@link Failure}, which the next step sends to `errors`. With `cacheTtl`,
 * values (missing keys too) are kept per parallel instance, at most `cacheSize`, oldest out first.
 */
final class RedisLookup extends RichAsyncFunction<Rec, Rec> {
  private static final long serialVersionUID = 1L;
  /** Most connections (and threads) per parallel instance. */
  private static final int MAX_CONNECTIONS = 8;
  static final int CONNECT_TIMEOUT_MS = 5000;

  private final String nodeId;
  private final String url;
  private final KeyTemplate key;
  private final String kind;
  private final String as;
  private final int capacity;
  private final long timeout;
  private final long cacheTtl;
  private final int cacheSize;
  private transient JedisPool pool;
  private transient ExecutorService threads;
  private transient LinkedHashMap<String, Object[]> cache;

  /** A record whose lookup failed: `value` is the input record, `error` the message. */
  static final class Failure extends Rec {
    private static final long serialVersionUID = 1L;
    public String error;

    public Failure() {}

    Failure(Rec r, String error) {
      super(r.value, r.key);
      this.error = error;
    }
  }

  RedisLookup(String nodeId, String url, KeyTemplate key, String kind, String as, int capacity, long timeout, long cacheTtl, int cacheSize) {
    this.nodeId = nodeId;
    this.url = url;
    this.key = key;
    this.kind = kind;
    this.as = as;
    this.capacity = capacity;
    this.timeout = timeout;
    this.cacheTtl = cacheTtl;
    this.cacheSize = cacheSize;
  }

  private String where() {
    return url.replaceFirst("//([^:@/]*):[^@/]*@", "//$1:***@");
  }

  @Override
  public void open(OpenContext ctx) {
    int n = Math.min(capacity, MAX_CONNECTIONS);
    GenericObjectPoolConfig<Jedis> cfg = new GenericObjectPoolConfig<>();
    cfg.setMaxTotal(n);
    cfg.setMaxIdle(n);
    cfg.setJmxEnabled(false);
    // A command may take as long as the lookup's timeout; Flink's timeout then fails the record first.
    int soTimeout = (int) Math.min(Integer.MAX_VALUE, Math.max(timeout + 1000, CONNECT_TIMEOUT_MS));
    pool = new JedisPool(cfg, URI.create(url), CONNECT_TIMEOUT_MS, soTimeout);
    // As the embedded node: Redis must answer at start (connect, and a PING within 5 s).
    try (Jedis j = pool.getResource()) {
      j.ping();
    } catch (RuntimeException e) {
      pool.close();
      throw new NodeFailure(nodeId, "cannot reach Redis at " + where() + ": " + e.getMessage());
    }
    threads = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "lookup.redis " + nodeId);
      t.setDaemon(true);
      return t;
    });
    if (cacheTtl > 0) cache = new LinkedHashMap<>();
  }

  @Override
  public void close() {
    if (threads != null) threads.shutdownNow();
    if (pool != null) pool.close();
  }

  @Override
  public void timeout(Rec r, ResultFuture<Rec> result) {
    result.complete(List.of(new Failure(r, "timed out after " + timeout + " ms")));
  }

  @Override
  public void asyncInvoke(Rec r, ResultFuture<Rec> result) {
    String k;
    try {
      k = key.fill(r.value);
    } catch (RuntimeException e) {
      result.complete(List.of(new Failure(r, e.getMessage())));
      return;
    }
    Object[] hit = cached(k);
    if (hit != null) {
      result.complete(List.of(merged(r, hit[0])));
      return;
    }
    CompletableFuture.runAsync(() -> {
      Object found;
      try (Jedis j = pool.getResource()) {
        found = kind.equals("hash") ? hash(j.sendCommand(Protocol.Command.HGETALL, k)) : j.get(k);
      } catch (RuntimeException e) {
        result.complete(List.of(new Failure(r, (kind.equals("hash") ? "HGETALL " : "GET ") + k + ": " + e.getMessage())));
        return;
      }
      if (kind.equals("json") && found != null) {
        try {
          found = Json.parse((String) found);
        } catch (RuntimeException e) {
          result.complete(List.of(new Failure(r, "the value is not valid JSON: " + e.getMessage())));
          return;
        }
      }
      remember(k, found);
      result.complete(List.of(merged(r, found)));
    }, threads).exceptionally(e -> {
      // Anything unforeseen fails the job naming the cause, rather than leaving the record to time out.
      result.completeExceptionally(e.getCause() != null ? e.getCause() : e);
      return null;
    });
  }

  /** HGETALL's flat reply as an object in Redis's field order; an empty hash (no key) is null. */
  @SuppressWarnings("unchecked")
  private static Object hash(Object reply) {
    List<byte[]> flat = (List<byte[]>) reply;
    if (flat.isEmpty()) return null;
    Map<String, Object> m = new LinkedHashMap<>();
    for (Iterator<byte[]> it = flat.iterator(); it.hasNext(); ) m.put(new String(it.next(), StandardCharsets.UTF_8), new String(it.next(), StandardCharsets.UTF_8));
    return Json.jsKeyOrder(m);
  }

  /** `{...rec, [as]: v}`, or `{...rec, ...v}` without `as` (a missing key leaves the record as it is). */
  @SuppressWarnings("unchecked")
  private Rec merged(Rec r, Object v) {
    if (!(r.value instanceof Map)) return new Failure(r, "the record is not an object");
    Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) r.value);
    if (as != null) {
      out.put(as, v);
    } else {
      if (v == null) return r;
      if (!(v instanceof Map)) return new Failure(r, "the value is not an object to merge; set `as` to put it in a field");
      out.putAll((Map<String, Object>) v);
    }
    return new Rec(Json.jsKeyOrder(out), r.key);
  }

  /** The cached value as a one-element array (its value may be null), or null. */
  private Object[] cached(String k) {
    if (cache == null) return null;
    synchronized (cache) {
      Object[] e = cache.get(k);
      if (e == null) return null;
      if ((long) e[1] <= System.currentTimeMillis()) {
        cache.remove(k);
        return null;
      }
      return e;
    }
  }

  /** runtime/nodes/lookup-redis/cache.ts set(): re-inserted at the end; the oldest entry leaves when full. */
  private void remember(String k, Object v) {
    if (cache == null) return;
    synchronized (cache) {
      cache.remove(k);
      if (cache.size() >= cacheSize) {
        Iterator<String> it = cache.keySet().iterator();
        it.next();
        it.remove();
      }
      cache.put(k, new Object[] {v, System.currentTimeMillis() + cacheTtl});
    }
  }
}

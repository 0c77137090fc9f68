package dev.tributary.flink.infer;

import dev.tributary.flink.Rec;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * A remote model server behind Flink's Async I/O, as runtime/nodes/infer/http-model.ts calls it:
 * records handed over by asyncInvoke are gathered into requests of up to `batchSize` (sent when
 * full, or `linger` after the first waits), at most `concurrency` requests in flight and the rest
 * queued, a request failing with a network error, 408, 429 or 5xx retried with backoff·2^n until
 * it succeeds, the retries run out or its records' deadline passes. The deadline is `timeout`
 * from asyncInvoke — the moment Flink's AsyncWaitOperator starts each element's timer — so the
 * linger, the queue behind `concurrency` and every retry count, as in the embedded node; Flink's
 * own timer at the same `timeout` fails a record still waiting then ({@link #timeout}).
 * Gathering records here rather than in Flink is what a RichAsyncFunction may do: it completes
 * each element's ResultFuture whenever its request ends, from any thread.
 */
final class HttpScoring extends RichAsyncFunction<Rec, Tuple2<Boolean, Rec>> {
  private static final long serialVersionUID = 1L;

  private final Scored shape;
  private final Protocol codec;
  /** The URL with environment references resolved (never shown), and as written with secrets masked. */
  private final String base;
  private final String shown;
  private final Map<String, String> headers;
  private final int perRequest;
  private final int concurrency;
  private final long linger;
  private final long timeout;
  private final long backoff;
  private final int retries;
  private final String defaultVersion;

  private transient HttpClient client;
  private transient ScheduledExecutorService timers;
  private transient Scored.Cache cache;
  private transient List<Item> pending;
  private transient ScheduledFuture<?> lingerTimer;
  private transient ArrayDeque<List<Item>> queued;
  private transient int active;
  private transient volatile boolean closed;

  /** A record waiting for its result. */
  private record Item(Rec rec, ResultFuture<Tuple2<Boolean, Rec>> result, long deadline, String cacheKey) {}

  HttpScoring(Scored shape, Protocol codec, String base, String shown, Map<String, String> headers, int batchSize, int concurrency, long linger, long timeout,
      long backoff, int retries) {
    this.shape = shape;
    this.codec = codec;
    this.base = base;
    this.shown = shown;
    this.headers = headers;
    this.perRequest = codec.maxPerRequest(batchSize);
    this.concurrency = concurrency;
    this.linger = linger;
    this.timeout = timeout;
    this.backoff = backoff;
    this.retries = retries;
    this.defaultVersion = codec.defaultVersion();
  }

  @Override
  public void open(OpenContext ctx) {
    // HTTP/1.1 as Node's client speaks it (the JDK's default asks a plain-http server to upgrade to h2c); redirects are not followed.
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
    timers = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "infer-" + shape.nodeId + "-timers");
      t.setDaemon(true);
      return t;
    });
    cache = shape.cacheKey == null ? null : new Scored.Cache(shape.cacheTtl, shape.cacheSize);
    pending = new ArrayList<>();
    queued = new ArrayDeque<>();
  }

  @Override
  public void close() {
    closed = true;
    if (timers != null) timers.shutdownNow();
    client = null;
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }

  /** Flink's timer for the element fired (AsyncWaitOperator, `timeout` after asyncInvoke): the embedded node's timeout message. */
  @Override
  public void timeout(Rec r, ResultFuture<Tuple2<Boolean, Rec>> result) {
    result.complete(List.of(shape.failure(r, "timed out after " + timeout + " ms")));
  }

  @Override
  public void asyncInvoke(Rec r, ResultFuture<Tuple2<Boolean, Rec>> result) {
    String key = null;
    if (cache != null) {
      try {
        key = shape.cacheKeyOf(r.value);
      } catch (RuntimeException err) {
        result.complete(List.of(shape.failure(r, "cache key: " + err.getMessage())));
        return;
      }
      Map<String, Object> hit = cache.lookup(key, System.currentTimeMillis());
      if (hit != null) {
        result.complete(List.of(Scored.scored(r, hit)));
        return;
      }
    }
    Item it = new Item(r, result, nowMs() + timeout, key);
    synchronized (this) {
      pending.add(it);
      if (pending.size() == perRequest) flush();
      if (!pending.isEmpty() && lingerTimer == null) {
        lingerTimer = timers.schedule(() -> {
          synchronized (this) {
            lingerTimer = null;
            if (!pending.isEmpty()) flush();
          }
        }, linger, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Called holding the lock. */
  private void flush() {
    List<Item> items = pending;
    pending = new ArrayList<>();
    dispatch(items);
  }

  /** Called holding the lock. */
  private void dispatch(List<Item> items) {
    if (active >= concurrency) {
      queued.add(items);
      return;
    }
    active++;
    // Encoding runs the feature expressions; off the lock's caller (the task thread) it would race nothing, but keep it cheap here.
    timers.execute(() -> send(items));
  }

  private void finished() {
    synchronized (this) {
      active--;
      List<Item> next = queued.poll();
      if (next != null && !closed) dispatch(next);
    }
  }

  private void send(List<Item> items) {
    List<Object> recs = new ArrayList<>(items.size());
    long deadline = Long.MAX_VALUE;
    for (Item it : items) {
      recs.add(it.rec.value);
      deadline = Math.min(deadline, it.deadline);
    }
    Protocol.Encoded enc;
    try {
      enc = codec.encode(recs);
    } catch (RuntimeException err) {
      settle(items, Map.of(), new int[0], null, err.getMessage());
      finished();
      return;
    }
    if (enc.rows().length == 0) {
      settle(items, enc.bad(), enc.rows(), null, "not sent");
      finished();
      return;
    }
    attempt(items, enc, deadline, 0);
  }

  private void attempt(List<Item> items, Protocol.Encoded enc, long deadline, int attempt) {
    HttpClient http = client;
    if (http == null || closed) {
      finished();
      return;
    }
    long left = deadline - nowMs();
    if (left <= 0) {
      done(items, enc, null, "timed out after " + timeout + " ms (" + attempt + " attempt" + (attempt == 1 ? "" : "s") + ")");
      return;
    }
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(URI.create(base + enc.path())).timeout(Duration.ofMillis(Math.max(1, left))).POST(HttpRequest.BodyPublishers.ofByteArray(enc.body()));
      enc.headers().forEach(b::setHeader);
      headers.forEach(b::setHeader);
    } catch (IllegalArgumentException err) {
      done(items, enc, null, shown + enc.path() + ": " + hidden(err.getMessage()));
      return;
    }
    http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((res, err) -> {
      String error = null;
      boolean retry = true;
      if (err == null) {
        int status = res.statusCode();
        if (status >= 200 && status < 300) {
          Protocol.Decoded dec;
          try {
            dec = codec.decode(res.body(), res.headers().firstValue("inference-header-content-length").orElse(null), enc.rows().length);
          } catch (RuntimeException bad) {
            // A response we cannot read (not JSON, wrong shape): retrying would get the same.
            error = "the response from " + shown + enc.path() + ": " + bad.getMessage();
            retry = false;
            dec = null;
          }
          // Outside the try: a failure while handing out results must not settle the request (and free its slot) twice.
          if (dec != null) {
            done(items, enc, dec, null);
            return;
          }
        } else {
          String location = res.headers().firstValue("location").orElse(null);
          String moved = status >= 300 && status < 400 && location != null
              ? " (redirects are not followed; set the url to where it points: " + dev.tributary.flink.http.HttpSinkTranslator.shown(location) + ")" : "";
          byte[] body = res.body();
          error = "HTTP " + status + " from " + shown + enc.path() + moved + ": " + new String(body, 0, Math.min(200, body.length), StandardCharsets.UTF_8);
          retry = status == 408 || status == 429 || status >= 500;
        }
      } else {
        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        // The client has no connect timeout of its own: a timeout while connecting is the request's,
        // i.e. the records' deadline, which the embedded node reports as its timeout too.
        if (c instanceof HttpTimeoutException) error = "timed out after " + timeout + " ms";
        else error = shown + enc.path() + ": " + hidden(networkCode(c));
      }
      if (!retry || attempt >= retries) {
        done(items, enc, null, error);
        return;
      }
      long wait = Math.min(waitAfter(backoff, attempt), Math.max(0, deadline - nowMs()));
      String last = error;
      try {
        timers.schedule(() -> attemptOrFail(items, enc, deadline, attempt + 1, last), wait, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException shutDown) {
        finished();
      }
    });
  }

  /** A retry: `error` stays the reason if no attempt is left to make. */
  private void attemptOrFail(List<Item> items, Protocol.Encoded enc, long deadline, int attempt, String error) {
    if (attempt > retries) done(items, enc, null, error);
    else attempt(items, enc, deadline, attempt);
  }

  /**
   * A JDK message with the URL as written (its `${VAR}` references unresolved, secrets masked) in
   * place of the resolved one, and no header value: URI and header errors quote what they refused,
   * and these messages reach `errors` records and the job's failure.
   */
  private String hidden(String message) {
    if (message == null) return null;
    String m = message.replace(base, shown);
    for (String v : headers.values()) if (v.length() >= 4) m = m.replace(v, "***");
    return m;
  }

  /** backoff·2^n without overflowing. */
  private static long waitAfter(long backoff, int n) {
    return n >= 62 || backoff > (Long.MAX_VALUE >> 2) >> n ? Long.MAX_VALUE >> 2 : backoff << n;
  }

  /** Node's error codes for the common network failures; the exception's message otherwise. */
  private static String networkCode(Throwable c) {
    // The operating system giving up on a connection (no answer to SYN) is a ConnectException too.
    if (c instanceof ConnectException) return c.getMessage() != null && c.getMessage().contains("timed out") ? "ETIMEDOUT" : "ECONNREFUSED";
    if (c instanceof java.io.EOFException || (c.getMessage() != null && c.getMessage().contains("closed"))) return "ECONNRESET";
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private void done(List<Item> items, Protocol.Encoded enc, Protocol.Decoded dec, String error) {
    try {
      settle(items, enc.bad(), enc.rows(), dec, error);
    } finally {
      finished();
    }
  }

  /** Hands each record its result: request rows map to body rows through `rows` (records with bad features were left out). */
  @SuppressWarnings("unchecked")
  private void settle(List<Item> items, Map<Integer, String> bad, int[] rows, Protocol.Decoded dec, String error) {
    List<Outputs.Ref> refs = null;
    Object read = null;
    String version = defaultVersion;
    if (dec != null) {
      refs = shape.refs != null ? shape.refs : Outputs.all(dec.cols());
      read = Outputs.readers(refs, dec.cols());
      if (dec.version() != null) version = dec.version();
    }
    long now = System.currentTimeMillis();
    int body = 0;
    for (int at = 0; at < items.size(); at++) {
      Item it = items.get(at);
      String why = bad.get(at);
      if (why != null) {
        it.result.complete(List.of(shape.failure(it.rec, why)));
        continue;
      }
      int row = body++;
      if (dec == null) it.result.complete(List.of(shape.failure(it.rec, error)));
      else if (read instanceof String reason) it.result.complete(List.of(shape.failure(it.rec, reason)));
      else {
        Map<String, Object> out;
        try {
          out = shape.outputs(refs, (List<IntFunction<Object>>) read, row, version);
        } catch (RuntimeException err) {
          // Never left waiting for Flink's timer: a result that cannot be read fails its record with the reason.
          it.result.complete(List.of(shape.failure(it.rec, "the response from " + shown + ": " + err)));
          continue;
        }
        if (cache != null) cache.store(it.cacheKey, out, now);
        it.result.complete(List.of(Scored.scored(it.rec, out)));
      }
    }
  }
}

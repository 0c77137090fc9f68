package dev.tributary.flink.http;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * One webhook delivery per record on the JDK's asynchronous HttpClient, with the embedded sink's
 * retry rule (runtime/connectors/http/post.ts): up to `retries` more attempts after a network
 * error, a timeout, 408, 429 or 5xx, waiting backoff·2^attempt or the answer's Retry-After (capped
 * at 30 s); other answers are final. Completes with nothing on success and with the `errors`
 * record otherwise. No thread waits: retries are scheduled on a delayed executor.
 */
final class HttpDelivery extends RichAsyncFunction<Rec, Rec> {
  private static final long serialVersionUID = 1L;
  private static final long RETRY_AFTER_CAP_MS = 30_000;
  private final String nodeId;
  private final boolean errorsConnected;
  private final String url;
  private final String method;
  private final Map<String, String> headers;
  private final Expr body;
  private final int retries;
  private final long backoff;
  private final long timeout;
  /** "POST <url as written, masked>", for messages. */
  private final String shown;
  private transient HttpClient client;
  /** Set once the task closes: a retry still scheduled then sends nothing more. */
  private transient volatile boolean closed;

  HttpDelivery(String nodeId, boolean errorsConnected, String url, String method, Map<String, String> headers, Expr body, int retries, long backoff, long timeout, String shown) {
    this.nodeId = nodeId;
    this.errorsConnected = errorsConnected;
    this.url = url;
    this.method = method;
    this.headers = new LinkedHashMap<>(headers);
    this.body = body;
    this.retries = retries;
    this.backoff = backoff;
    this.timeout = timeout;
    this.shown = shown;
  }

  @Override
  public void open(OpenContext ctx) {
    // HTTP/1.1 as Node's fetch speaks it: the JDK's default asks a plain-http server to upgrade to
    // h2c, which a Node server without an upgrade handler never answers.
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(timeout)).build();
  }

  @Override
  public void close() {
    // The JDK 17 client has no close(): its selector thread ends once the client is unreachable.
    closed = true;
    client = null;
  }

  /**
   * Longest a record can take: every attempt's timeout (plus a margin for connecting) and every
   * wait between attempts (backoff·2^n, or a Retry-After of up to 30 s), saturating. Flink's own
   * Async I/O timeout is set above it, only as a backstop.
   */
  static long budget(int retries, long backoff, long timeout) {
    long total = 60_000L;
    for (int n = 0; n <= retries && total < Long.MAX_VALUE / 4; n++) {
      total = Math.addExact(total, timeout + 30_000L);
      if (n < retries) total = Math.addExact(total, Math.max(waitAfter(backoff, n), RETRY_AFTER_CAP_MS));
    }
    return Math.min(total, Long.MAX_VALUE / 4);
  }

  /** backoff·2^n without overflowing. */
  static long waitAfter(long backoff, int n) {
    return n >= 62 || backoff > (Long.MAX_VALUE >> 2) >> n ? Long.MAX_VALUE >> 2 : backoff << n;
  }

  /** Flink's backstop fired (the budget above was exceeded): the record fails as a delivery that timed out. */
  @Override
  public void timeout(Rec r, ResultFuture<Rec> result) {
    fail(r, shown + " failed: no answer within " + budget(retries, backoff, timeout) + " ms over all attempts", null, result);
  }

  @Override
  public void asyncInvoke(Rec r, ResultFuture<Rec> result) {
    String text;
    try {
      text = Json.stringify(body == null ? r.value : body.eval(r.value));
    } catch (RuntimeException e) {
      fail(r, e.getMessage(), null, result);
      return;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(timeout))
        .method(method, HttpRequest.BodyPublishers.ofString(text == null ? "null" : text));
    b.header("content-type", "application/json");
    headers.forEach(b::setHeader);
    attempt(b.build(), r, 0, result);
  }

  private void attempt(HttpRequest req, Rec r, int n, ResultFuture<Rec> result) {
    HttpClient http = client;
    if (http == null || closed) return;
    http.sendAsync(req, HttpResponse.BodyHandlers.discarding()).whenComplete((res, err) -> {
      long wait = waitAfter(backoff, n);
      String error;
      Double status = null;
      if (err == null) {
        int code = res.statusCode();
        if (code >= 200 && code < 300) {
          result.complete(Collections.emptyList());
          return;
        }
        status = (double) code;
        error = "HTTP " + code + reason(code);
        if (!(code == 408 || code == 429 || code >= 500)) {
          fail(r, failedAfter(n, error), status, result);
          return;
        }
        Long after = retryAfter(res.headers().firstValue("retry-after").orElse(null));
        if (after != null) wait = after;
      } else {
        Throwable c = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        error = c instanceof HttpTimeoutException ? "timed out after " + timeout + " ms" : c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
      }
      if (n >= retries) {
        fail(r, failedAfter(n, error), status, result);
        return;
      }
      CompletableFuture.runAsync(() -> attempt(req, r, n + 1, result), CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
    });
  }

  private String failedAfter(int n, String error) {
    int attempts = n + 1;
    return shown + " failed after " + attempts + " attempt" + (attempts > 1 ? "s" : "") + ": " + error;
  }

  private void fail(Rec r, String error, Double status, ResultFuture<Rec> result) {
    if (!errorsConnected) {
      result.completeExceptionally(new NodeFailure(nodeId, error));
      return;
    }
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("node", nodeId);
    e.put("error", error);
    e.put("record", r.value);
    e.put("status", status);
    result.complete(List.of(new Rec(e, null)));
  }

  /** Node's fetch puts the status text after the code; the JDK client gives none, so the common ones are named here. */
  private static String reason(int code) {
    return switch (code) {
      case 400 -> " Bad Request";
      case 401 -> " Unauthorized";
      case 403 -> " Forbidden";
      case 404 -> " Not Found";
      case 408 -> " Request Timeout";
      case 429 -> " Too Many Requests";
      case 500 -> " Internal Server Error";
      case 502 -> " Bad Gateway";
      case 503 -> " Service Unavailable";
      case 504 -> " Gateway Timeout";
      default -> "";
    };
  }

  static Long retryAfter(String h) {
    if (h == null) return null;
    try {
      return Math.min((long) (Double.parseDouble(h.trim()) * 1000), RETRY_AFTER_CAP_MS);
    } catch (NumberFormatException notSeconds) {
      try {
        long at = ZonedDateTime.parse(h.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        return Math.min(Math.max(0, at - System.currentTimeMillis()), RETRY_AFTER_CAP_MS);
      } catch (RuntimeException notADate) {
        return null;
      }
    }
  }
}

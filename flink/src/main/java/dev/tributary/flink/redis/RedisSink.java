package dev.tributary.flink.redis;

import dev.tributary.flink.redis.RedisSinkTranslator.Commands;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Writes commands to Redis through Jedis, pipelined: up to `batchSize` records' commands in one
 * round trip, sent when the batch is full, at every checkpoint (SinkWriter#flush, so what a
 * checkpoint covers is written: at-least-once) and at the end of the input. As the embedded
 * sink: Redis must answer within 5 s at start; while it is unreachable a batch is sent again with
 * backoff for at most `retryFor`; a command Redis refuses fails the job with the command and key.
 */
final class RedisSink implements Sink<Commands> {
  private static final long serialVersionUID = 1L;
  static final int CONNECT_TIMEOUT_MS = 5000;
  static final int COMMAND_TIMEOUT_MS = 10_000;
  private final String nodeId;
  private final String url;
  private final int batchSize;
  private final long retryFor;

  RedisSink(String nodeId, String url, int batchSize, long retryFor) {
    this.nodeId = nodeId;
    this.url = url;
    this.batchSize = batchSize;
    this.retryFor = retryFor;
  }

  @Override
  public SinkWriter<Commands> createWriter(WriterInitContext context) {
    return new Writer();
  }

  /** The URL without its password, for messages. */
  private String where() {
    return url.replaceFirst("//([^:@/]*):[^@/]*@", "//$1:***@");
  }

  private final class Writer implements SinkWriter<Commands> {
    private final List<String[]> pending = new ArrayList<>();
    private int records;
    private Jedis jedis;

    Writer() {
      try {
        jedis = connect();
        jedis.ping();
      } catch (RuntimeException e) {
        close();
        throw new NodeFailure(nodeId, "cannot reach Redis at " + where() + ": " + e.getMessage());
      }
    }

    private Jedis connect() {
      return new Jedis(URI.create(url), CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS);
    }

    @Override
    public void write(Commands c, Context context) {
      pending.addAll(c.list);
      if (++records >= batchSize) send();
    }

    @Override
    public void flush(boolean endOfInput) {
      send();
    }

    private void send() {
      if (pending.isEmpty()) return;
      long started = System.currentTimeMillis();
      for (int attempt = 0; ; attempt++) {
        JedisConnectionException failure;
        try {
          if (jedis == null) jedis = connect();
          Pipeline p = jedis.pipelined();
          for (String[] c : pending) p.sendCommand(Protocol.Command.valueOf(c[0]), java.util.Arrays.copyOfRange(c, 1, c.length));
          List<Object> results = p.syncAndReturnAll();
          for (int i = 0; i < results.size(); i++) {
            if (results.get(i) instanceof JedisDataException e) {
              throw new NodeFailure(nodeId, "Redis refused " + pending.get(i)[0] + " " + pending.get(i)[1] + ": " + e.getMessage());
            }
          }
          pending.clear();
          records = 0;
          return;
        } catch (JedisConnectionException e) {
          failure = e;
        }
        // The connection is down: keep the batch, wait, and send it again once Redis is back.
        close();
        long waited = System.currentTimeMillis() - started;
        if (waited > retryFor) throw new NodeFailure(nodeId, "Redis at " + where() + " unreachable for " + Math.round(waited / 1000.0) + " s: " + failure.getMessage());
        try {
          Thread.sleep(Math.min(50L << Math.min(attempt, 10), 1000));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new NodeFailure(nodeId, "interrupted while Redis was unreachable");
        }
      }
    }

    @Override
    public void close() {
      if (jedis != null) {
        try {
          jedis.close();
        } catch (RuntimeException ignored) {
          // Closing a broken connection.
        }
        jedis = null;
      }
    }
  }
}

package dev.tributary.flink.redis;

import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One record → the Redis commands sink.redis sends for it, as runtime/nodes/sink-redis/commands.ts
 * builds them (HSET, HINCRBY per field, XADD with MAXLEN ~, SET with PX, PUBLISH, LPUSH then
 * LTRIM, ZADD, ZINCRBY; PEXPIRE after each write when `ttl` is set, except SET and PUBLISH).
 * Arguments are text as ioredis sends them: strings as they are, numbers as JavaScript prints
 * them, other values as JSON. Throws with the reason when the record cannot give its commands.
 */
final class RedisCommands implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String command;
  private final KeyTemplate key;
  private final Expr fields;
  private final Expr value;
  private final Expr member;
  private final Expr score;
  private final Long maxLen;
  private final Long ttlMs;

  RedisCommands(String command, KeyTemplate key, Expr fields, Expr value, Expr member, Expr score, Long maxLen, Long ttlMs) {
    this.command = command;
    this.key = key;
    this.fields = fields;
    this.value = value;
    this.member = member;
    this.score = score;
    this.maxLen = maxLen;
    this.ttlMs = ttlMs;
  }

  static String text(Object v) {
    if (v instanceof String s) return s;
    String j = Json.stringify(v);
    return j == null ? "null" : j;
  }

  private static String num(double d) {
    return Js.toStr(d);
  }

  private static List<Map.Entry<?, ?>> entries(Object v, String what) {
    if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException(what + " must be an object, got " + Json.stringify(v));
    List<Map.Entry<?, ?>> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : m.entrySet()) if (e.getValue() != Js.UNDEFINED) out.add(e);
    if (out.isEmpty()) throw new IllegalArgumentException(what + " is empty");
    return out;
  }

  private static double number(Object v, String what) {
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) throw new IllegalArgumentException(what + " must be a finite number, got " + Json.stringify(v));
    return n.doubleValue();
  }

  private List<String[]> expire(String k, List<String[]> cmds) {
    if (ttlMs != null && !command.equals("SET") && !command.equals("PUBLISH")) cmds.add(new String[] {"PEXPIRE", k, Long.toString(ttlMs)});
    return cmds;
  }

  List<String[]> of(Object r) {
    List<String[]> cmds = new ArrayList<>();
    String k = key.fill(r);
    switch (command) {
      case "HSET", "XADD" -> {
        List<String> args = new ArrayList<>();
        args.add(command);
        args.add(k);
        if (command.equals("XADD")) {
          if (maxLen != null) {
            args.add("MAXLEN");
            args.add("~");
            args.add(Long.toString(maxLen));
          }
          args.add("*");
        }
        for (Map.Entry<?, ?> e : entries(fields.eval(r), "fields")) {
          args.add((String) e.getKey());
          args.add(text(e.getValue()));
        }
        cmds.add(args.toArray(String[]::new));
        return expire(k, cmds);
      }
      case "HINCRBY" -> {
        for (Map.Entry<?, ?> e : entries(fields.eval(r), "fields")) {
          // Math.trunc, then printed as JavaScript prints the integer.
          cmds.add(new String[] {"HINCRBY", k, (String) e.getKey(), num(trunc(number(e.getValue(), "fields." + e.getKey())))});
        }
        return expire(k, cmds);
      }
      case "SET" -> {
        String v = text(value.eval(r));
        cmds.add(ttlMs == null ? new String[] {"SET", k, v} : new String[] {"SET", k, v, "PX", Long.toString(ttlMs)});
        return cmds;
      }
      case "PUBLISH" -> {
        cmds.add(new String[] {"PUBLISH", k, text(value.eval(r))});
        return cmds;
      }
      case "LPUSH" -> {
        cmds.add(new String[] {"LPUSH", k, text(value.eval(r))});
        if (maxLen != null) cmds.add(new String[] {"LTRIM", k, "0", Long.toString(maxLen - 1)});
        return expire(k, cmds);
      }
      case "ZADD", "ZINCRBY" -> {
        Object m = member.eval(r);
        if (Js.isNil(m)) throw new IllegalArgumentException("member is null");
        cmds.add(new String[] {command, k, num(number(score.eval(r), "score")), text(m)});
        return expire(k, cmds);
      }
      default -> throw new IllegalStateException("unknown command " + command);
    }
  }

  private static double trunc(double d) {
    return d < 0 ? Math.ceil(d) : Math.floor(d);
  }
}

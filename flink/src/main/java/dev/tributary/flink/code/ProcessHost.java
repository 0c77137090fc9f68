package dev.tributary.flink.code;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimerService;
import org.graalvm.polyglot.HostAccess;

/**
 * What the process node's JavaScript `ctx` calls (ProcessPrelude): Flink's keyed state, timers
 * and outputs of the current call. Every state is Flink state of JSON text, so the state backend,
 * checkpoints and TTL are Flink's own.
 *
 * A map state keeps its entries in insertion order, as a JavaScript Map does (entries(), forEach
 * and ties read in that order): each value is stored as `seq \t json`, with the next seq in a value
 * state of its own. Flink's MapState has no order of its own.
 */
public final class ProcessHost {
  /** What the host needs of the function: where the current call's records go, and its timers. */
  interface Call {
    TimerService timers();

    void emit(Rec r, int port);

    /** The broadcast node's state of the current call (read-only on the main side), or null. */
    default BroadcastAccess broadcast() {
      return null;
    }
  }

  private final RuntimeContext runtime;
  private final Map<String, ValueState<String>> values = new HashMap<>();
  private final Map<String, ListState<String>> lists = new HashMap<>();
  private final Map<String, MapState<String, String>> maps = new HashMap<>();
  private final Map<String, ValueState<Long>> mapSeqs = new HashMap<>();
  Call call;

  ProcessHost(RuntimeContext runtime) {
    this.runtime = runtime;
  }

  /** Flink's StateTtlConfig for `ttl` ms: processing time, never returning expired state (as ttl.ts). */
  static StateTtlConfig ttl(long ms, boolean onRead) {
    StateTtlConfig.Builder b = StateTtlConfig.newBuilder(Duration.ofMillis(ms)).neverReturnExpired().useProcessingTime();
    return (onRead ? b.updateTtlOnReadAndWrite() : b.updateTtlOnCreateAndWrite()).build();
  }

  @HostAccess.Export
  public void declare(String kind, String name, double ttlMs, boolean onRead) {
    StateTtlConfig cfg = ttlMs > 0 ? ttl((long) ttlMs, onRead) : null;
    switch (kind) {
      case "value" -> {
        ValueStateDescriptor<String> d = new ValueStateDescriptor<>(name, String.class);
        if (cfg != null) d.enableTimeToLive(cfg);
        values.put(name, runtime.getState(d));
      }
      case "list" -> {
        ListStateDescriptor<String> d = new ListStateDescriptor<>(name, String.class);
        if (cfg != null) d.enableTimeToLive(cfg);
        lists.put(name, runtime.getListState(d));
      }
      default -> {
        MapStateDescriptor<String, String> d = new MapStateDescriptor<>(name, String.class, String.class);
        ValueStateDescriptor<Long> seq = new ValueStateDescriptor<>(name + "\u0000seq", Long.class);
        if (cfg != null) {
          d.enableTimeToLive(cfg);
          seq.enableTimeToLive(cfg);
        }
        maps.put(name, runtime.getMapState(d));
        mapSeqs.put(name, runtime.getState(seq));
      }
    }
  }

  // Value state.

  @HostAccess.Export
  public String valueGet(String name) throws Exception {
    return values.get(name).value();
  }

  @HostAccess.Export
  public void valuePut(String name, String json) throws Exception {
    values.get(name).update(json);
  }

  @HostAccess.Export
  public void valueClear(String name) {
    values.get(name).clear();
  }

  // List state.

  /** The list as one JSON array. */
  @HostAccess.Export
  public String listGet(String name) throws Exception {
    Iterable<String> all = lists.get(name).get();
    StringBuilder sb = new StringBuilder("[");
    if (all != null) {
      for (String s : all) {
        if (sb.length() > 1) sb.append(',');
        sb.append(s);
      }
    }
    return sb.append(']').toString();
  }

  @HostAccess.Export
  public void listAdd(String name, String json) throws Exception {
    lists.get(name).add(json);
  }

  /** Elements as JSON, one a line (JSON text has no raw newline). */
  @HostAccess.Export
  public void listUpdate(String name, String lines) throws Exception {
    lists.get(name).update(lines.isEmpty() ? List.of() : List.of(lines.split("\n", -1)));
  }

  @HostAccess.Export
  public void listKeepLast(String name, int n) throws Exception {
    ListState<String> s = lists.get(name);
    Iterable<String> all = s.get();
    if (all == null) return;
    List<String> v = new ArrayList<>();
    all.forEach(v::add);
    if (v.size() > n) s.update(new ArrayList<>(v.subList(v.size() - n, v.size())));
  }

  @HostAccess.Export
  public void listClear(String name) {
    lists.get(name).clear();
  }

  // Map state: keys as JSON (so 1, "1" and true stay apart), values as `seq \t json`.

  @HostAccess.Export
  public String mapGet(String name, String key) throws Exception {
    String s = maps.get(name).get(key);
    return s == null ? null : s.substring(s.indexOf('\t') + 1);
  }

  @HostAccess.Export
  public void mapPut(String name, String key, String json) throws Exception {
    MapState<String, String> m = maps.get(name);
    String old = m.get(key);
    String seq;
    if (old != null) {
      seq = old.substring(0, old.indexOf('\t'));
    } else {
      ValueState<Long> next = mapSeqs.get(name);
      Long n = next.value();
      // With TTL the counter (written only when a key is added) can expire before entries that
      // were rewritten or read since: go on after the newest live entry, so no two share a seq.
      long v = n != null ? n : nextSeq(m);
      next.update(v + 1);
      seq = Long.toString(v);
    }
    m.put(key, seq + "\t" + json);
  }

  /** One past the highest seq among the live entries (0 when none). */
  private static long nextSeq(MapState<String, String> m) throws Exception {
    long max = -1;
    Iterable<Map.Entry<String, String>> all = m.entries();
    if (all != null) {
      for (Map.Entry<String, String> e : all) {
        String s = e.getValue();
        max = Math.max(max, Long.parseLong(s.substring(0, s.indexOf('\t'))));
      }
    }
    return max + 1;
  }

  @HostAccess.Export
  public void mapRemove(String name, String key) throws Exception {
    maps.get(name).remove(key);
  }

  @HostAccess.Export
  public boolean mapContains(String name, String key) throws Exception {
    return maps.get(name).contains(key);
  }

  /** Every entry as `[[key, value], …]` in insertion order. */
  @HostAccess.Export
  public String mapEntries(String name) throws Exception {
    TreeMap<Long, String> ordered = new TreeMap<>();
    Iterable<Map.Entry<String, String>> all = maps.get(name).entries();
    if (all != null) {
      for (Map.Entry<String, String> e : all) {
        String s = e.getValue();
        int tab = s.indexOf('\t');
        ordered.put(Long.parseLong(s.substring(0, tab)), "[" + e.getKey() + "," + s.substring(tab + 1) + "]");
      }
    }
    return "[" + String.join(",", ordered.values()) + "]";
  }

  @HostAccess.Export
  public void mapClear(String name) {
    maps.get(name).clear();
    mapSeqs.get(name).clear();
  }

  // The broadcast node's state (BroadcastAccess).

  @HostAccess.Export
  public double broadcastVersion() {
    return call.broadcast().version();
  }

  @HostAccess.Export
  public String broadcastEntries() throws Exception {
    return call.broadcast().entriesJson();
  }

  @HostAccess.Export
  public void broadcastPut(String key, String json) throws Exception {
    call.broadcast().put(key, json);
  }

  @HostAccess.Export
  public void broadcastRemove(String key) throws Exception {
    call.broadcast().remove(key);
  }

  @HostAccess.Export
  public void broadcastClear() throws Exception {
    call.broadcast().clear();
  }

  // Timers, time and output.

  /**
   * Flink's timers are whole milliseconds: a timer at a fractional time is set at the next whole
   * one, which the same whole-millisecond watermarks reach as the embedded runtime's timer.
   */
  @HostAccess.Export
  public void timer(int domain, boolean delete, double ts) {
    TimerService t = call.timers();
    long at = (long) Math.ceil(ts);
    if (domain == 0) {
      if (delete) t.deleteEventTimeTimer(at);
      else t.registerEventTimeTimer(at);
    } else if (delete) {
      t.deleteProcessingTimeTimer(at);
    } else {
      t.registerProcessingTimeTimer(at);
    }
  }

  @HostAccess.Export
  public double now() {
    return call.timers().currentProcessingTime();
  }

  /** Output records carry no key (the process node clears it). */
  @HostAccess.Export
  public void emit(String json, int port) {
    call.emit(new Rec(Json.parse(json), null), port);
  }
}

package dev.tributary.flink.code;

import dev.tributary.flink.expr.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * The broadcast node's state over Flink's broadcast state (a MapStateDescriptor of strings):
 * keys as JSON (so 1, "1" and true stay apart), values as `seq \t json`, so entries keep their
 * insertion order as the embedded runtime's Map does (Flink's broadcast state is a HashMap).
 * Every parallel instance gets every broadcast record and holds the same state. `version` counts
 * this instance's writes, so readers reload only after one.
 */
public final class BroadcastAccess {
  public static final MapStateDescriptor<String, String> DESCRIPTOR = new MapStateDescriptor<>("broadcast", String.class, String.class);

  private long version;
  private long nextSeq = -1;
  private ReadOnlyBroadcastState<String, String> read;
  private BroadcastState<String, String> write;

  /** For a main-side call: the state read-only. */
  public BroadcastAccess reading(ReadOnlyBroadcastState<String, String> s) {
    read = s;
    write = null;
    return this;
  }

  /** For a broadcast-side call: the state writable. */
  public BroadcastAccess writing(BroadcastState<String, String> s) {
    read = s;
    write = s;
    return this;
  }

  public long version() {
    return version;
  }

  /** `[[key, value], …]` in insertion order. */
  public String entriesJson() throws Exception {
    TreeMap<Long, String> ordered = new TreeMap<>();
    for (Map.Entry<String, String> e : read.immutableEntries()) {
      String s = e.getValue();
      int tab = s.indexOf('\t');
      ordered.put(Long.parseLong(s.substring(0, tab)), "[" + e.getKey() + "," + s.substring(tab + 1) + "]");
    }
    return "[" + String.join(",", ordered.values()) + "]";
  }

  /** The state as the object `output` expressions see (`broadcast.trending`): property names are String(key). */
  public Map<String, Object> object() throws Exception {
    TreeMap<Long, Object[]> ordered = new TreeMap<>();
    for (Map.Entry<String, String> e : read.immutableEntries()) {
      String s = e.getValue();
      int tab = s.indexOf('\t');
      ordered.put(Long.parseLong(s.substring(0, tab)), new Object[] {dev.tributary.flink.expr.Js.propertyKey(Json.parse(e.getKey())), Json.parse(s.substring(tab + 1))});
    }
    Map<String, Object> o = new LinkedHashMap<>();
    for (Object[] kv : ordered.values()) o.put((String) kv[0], kv[1]);
    return o;
  }

  public void put(String key, String json) throws Exception {
    String old = write.get(key);
    String seq;
    if (old != null) {
      seq = old.substring(0, old.indexOf('\t'));
    } else {
      if (nextSeq < 0) {
        long max = -1;
        for (Map.Entry<String, String> e : write.entries()) max = Math.max(max, Long.parseLong(e.getValue().substring(0, e.getValue().indexOf('\t'))));
        nextSeq = max + 1;
      }
      seq = Long.toString(nextSeq++);
    }
    write.put(key, seq + "\t" + json);
    version++;
  }

  public void remove(String key) throws Exception {
    if (write.contains(key)) {
      write.remove(key);
      version++;
    }
  }

  public void clear() throws Exception {
    write.clear();
    version++;
  }
}

package dev.tributary.flink.translate;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.OutputTag;

/**
 * A node's per-record function with the embedded runtime's error rule: a record the node cannot
 * process goes to its `errors` port as `{node, error, record}` when that port has an edge, and
 * otherwise fails the job naming the node.
 */
public abstract class NodeFunction<I> extends ProcessFunction<I, Rec> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<Rec> ERRORS = NodeContext.tag("errors");

  protected final String nodeId;
  private final boolean errorsConnected;

  protected NodeFunction(String nodeId, boolean errorsConnected) {
    this.nodeId = nodeId;
    this.errorsConnected = errorsConnected;
  }

  protected boolean errorsConnected() {
    return errorsConnected;
  }

  protected void error(Context ctx, Object record, Object key, String message) {
    if (!errorsConnected) throw failure(nodeId, message, record);
    ctx.output(ERRORS, new Rec(errorRecord(nodeId, message, record), key));
  }

  /** What fails the job when a record cannot be processed and `errors` has no edge: the node, the message and the record's first 200 characters. */
  public static NodeFailure failure(String nodeId, String message, Object record) {
    String preview = Json.stringify(record);
    if (preview != null && preview.length() > 200) preview = preview.substring(0, 200) + "…";
    return new NodeFailure(nodeId, message + " (record: " + preview + ")");
  }

  /** `{node, error, record}`, what the `errors` port carries (callers may add fields after these). */
  public static Map<String, Object> errorRecord(String nodeId, String message, Object record) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("node", nodeId);
    e.put("error", message);
    e.put("record", record);
    return e;
  }

  /** A failure that names its node, as the embedded runtime's NodeError does. */
  public static final class NodeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeFailure(String nodeId, String message) {
      super("node '" + nodeId + "': " + message);
    }
  }

  /** describe() of runtime/engine/chain.ts, for "map must produce an object, got …". */
  public static String describe(Object v) {
    if (v == null) return "null";
    if (v instanceof java.util.List) return "an array";
    if (v instanceof Map) return "an object";
    String s = Json.stringify(v);
    return dev.tributary.flink.expr.Js.typeOf(v) + " " + (s == null ? "undefined" : s);
  }
}

package dev.tributary.flink.join;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.OutputTag;

/**
 * A join's `output` expression with the embedded runtime's checks (runtime/nodes/join-*
 * operator.ts joined()): it must build an object; a failure goes to `errors` as
 * `{node, error, record}` naming the record that caused it, or fails the job naming the node.
 */
final class JoinOutput implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String nodeId;
  private final boolean errorsConnected;
  private final Expr output;

  JoinOutput(String nodeId, boolean errorsConnected, Expr output) {
    this.nodeId = nodeId;
    this.errorsConnected = errorsConnected;
    this.output = output;
  }

  /** The joined record, or null after the failure went to `errors` (through `errors`). */
  Rec build(Object cause, Consumer<Rec> errors, Object... args) {
    Object r;
    try {
      r = output.eval(args);
    } catch (RuntimeException e) {
      fail(cause, errors, e.getMessage());
      return null;
    }
    if (!(r instanceof Map)) {
      fail(cause, errors, "output must build an object, got " + (r == null ? "null" : r instanceof List ? "an array" : Js.typeOf(r)));
      return null;
    }
    return new Rec(r, null);
  }

  private void fail(Object cause, Consumer<Rec> errors, String message) {
    if (!errorsConnected) throw NodeFunction.failure(nodeId, message, cause);
    errors.accept(new Rec(NodeFunction.errorRecord(nodeId, message, cause), null));
  }

  /** `{side, record}` for the `late` port, from a side's late records. */
  static DataStream<Rec> late(NodeContext ctx, DataStream<Rec> records, String side) {
    return records.map(r -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("side", side);
      m.put("record", r.value);
      return new Rec(m, null);
    }, NodeContext.REC).uid(ctx.helperUid("late-" + side)).name(ctx.label + " (late " + side + ")");
  }

  static final OutputTag<Rec> LATE_LEFT = NodeContext.tag("late-left");
  static final OutputTag<Rec> LATE_RIGHT = NodeContext.tag("late-right");
}

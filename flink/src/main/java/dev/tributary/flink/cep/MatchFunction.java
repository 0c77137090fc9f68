package dev.tributary.flink.cep;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.util.Collector;

/**
 * Writes matches as the cep node does: `{key, match}` or what `select` makes of them on `out`,
 * `{key, match, timeoutAt}` on `timeout` with timeoutAt = first event + within.
 */
final class MatchFunction extends PatternProcessFunction<CepEvent, Rec> implements TimedOutPartialMatchHandler<CepEvent> {
  private static final long serialVersionUID = 1L;
  private final String nodeId;
  private final Expr select;
  private final long within;

  MatchFunction(String nodeId, Expr select, long within) {
    this.nodeId = nodeId;
    this.select = select;
    this.within = within;
  }

  private static Object keyOf(Map<String, List<CepEvent>> match) {
    Object k = Matches.first(match).key;
    return k;
  }

  @Override
  public void processMatch(Map<String, List<CepEvent>> match, Context ctx, Collector<Rec> out) {
    Object key = keyOf(match);
    Map<String, Object> m = Matches.of(match);
    if (select == null) {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("key", key);
      v.put("match", m);
      out.collect(new Rec(v, null));
      return;
    }
    Object v;
    try {
      v = select.eval(m, key);
    } catch (RuntimeException ex) {
      throw new NodeFailure(nodeId, "select: " + ex.getMessage());
    }
    if (!(v instanceof Map)) {
      String what = v == null ? "null" : v instanceof List ? "an array" : dev.tributary.flink.expr.Js.typeOf(v);
      throw new NodeFailure(nodeId, "select must produce an object, not " + what + " (" + NodeFunction.describe(v) + ")");
    }
    out.collect(new Rec(v, null));
  }

  @Override
  public void processTimedOutMatch(Map<String, List<CepEvent>> match, Context ctx) {
    Map<String, Object> v = new LinkedHashMap<>();
    CepEvent first = Matches.first(match);
    v.put("key", first.key);
    v.put("match", Matches.of(match));
    v.put("timeoutAt", (double) (first.ts + within));
    ctx.output(CepTranslator.TIMEOUT, new Rec(v, null));
  }
}

package dev.tributary.flink.cep;

import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * A step's `where` or `until` as Flink's IterativeCondition: `event` is the record, `match` the
 * events this partial match has taken so far (ctx.getEventsForPattern for every step), built only
 * when the expression reads it.
 */
final class StepCondition extends IterativeCondition<CepEvent> {
  private static final long serialVersionUID = 1L;
  private final String nodeId;
  private final String what;
  private final Expr expr;
  private final String[] steps;
  private final boolean readsMatch;

  StepCondition(String nodeId, String what, Expr expr, String[] steps, boolean readsMatch) {
    this.nodeId = nodeId;
    this.what = what;
    this.expr = expr;
    this.steps = steps;
    this.readsMatch = readsMatch;
  }

  @Override
  public boolean filter(CepEvent e, Context<CepEvent> ctx) throws Exception {
    Object match = Js.UNDEFINED;
    if (readsMatch) {
      Map<String, Iterable<CepEvent>> byStep = new LinkedHashMap<>();
      for (String s : steps) byStep.put(s, ctx.getEventsForPattern(s));
      match = Matches.of(byStep);
    }
    try {
      return Js.truthy(expr.eval(e.value, match));
    } catch (RuntimeException ex) {
      // Flink's CepOperator cannot leave a key's partial matches as if the record had not arrived
      // (the embedded runtime's `errors` rule), so a throwing condition fails the job, naming the node.
      throw new NodeFailure(nodeId, what + ": " + ex.getMessage());
    }
  }
}

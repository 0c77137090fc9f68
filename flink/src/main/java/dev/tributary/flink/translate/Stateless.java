package dev.tributary.flink.translate;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Expr;
import dev.tributary.flink.expr.Js;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * filter, map and keyBy: one ProcessFunction each around the node's expression (the embedded
 * runtime fuses them into one loop; Flink chains the operators the same way). The record keeps its
 * key, except through keyBy, which sets it.
 */
public final class Stateless {
  private Stateless() {}

  static Expr expr(NodeContext ctx, String param) {
    if (!ctx.params.hasNonNull(param) || !ctx.params.get(param).has("$expr")) {
      throw new UnsupportedNode(ctx.id, ctx.type + " with `code` runs only in the embedded runtime yet (GraalJS is not wired in)");
    }
    return Expr.of(ctx.params.get(param).get("$expr"));
  }

  static void finish(NodeContext ctx, SingleOutputStreamOperator<Rec> op) {
    op.uid(ctx.id).name(ctx.label);
    ctx.output("out", op);
    if (ctx.connected("errors")) ctx.output("errors", op.getSideOutput(NodeFunction.ERRORS));
  }

  public static final NodeTranslator FILTER = ctx -> {
    Expr e = expr(ctx, "condition");
    finish(ctx, ctx.input().process(new FilterFn(ctx.id, ctx.connected("errors"), e), NodeContext.REC));
  };

  public static final NodeTranslator MAP = ctx -> {
    Expr e = expr(ctx, "expression");
    finish(ctx, ctx.input().process(new MapFn(ctx.id, ctx.connected("errors"), e), NodeContext.REC));
  };

  public static final NodeTranslator KEY_BY = ctx -> {
    Expr e = expr(ctx, "key");
    finish(ctx, ctx.input().process(new KeyFn(ctx.id, ctx.connected("errors"), e), NodeContext.REC));
  };

  /** Flink's union is no operator of its own, so it has no uid; its watermark is the minimum of its inputs, as ours. */
  public static final NodeTranslator UNION = ctx -> ctx.output("out", ctx.input());

  static final class FilterFn extends NodeFunction<Rec> {
    private static final long serialVersionUID = 1L;
    private final Expr e;

    FilterFn(String id, boolean errors, Expr e) {
      super(id, errors);
      this.e = e;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Rec> out) {
      boolean keep;
      try {
        keep = Js.truthy(e.eval(r.value));
      } catch (RuntimeException ex) {
        error(ctx, r.value, r.key, ex.getMessage());
        return;
      }
      if (keep) out.collect(r);
    }
  }

  static final class MapFn extends NodeFunction<Rec> {
    private static final long serialVersionUID = 1L;
    private final Expr e;

    MapFn(String id, boolean errors, Expr e) {
      super(id, errors);
      this.e = e;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Rec> out) {
      Object v;
      try {
        v = e.eval(r.value);
      } catch (RuntimeException ex) {
        error(ctx, r.value, r.key, ex.getMessage());
        return;
      }
      if (!(v instanceof Map)) {
        error(ctx, r.value, r.key, "map must produce an object, got " + describe(v));
        return;
      }
      out.collect(new Rec(v, r.key));
    }
  }

  static final class KeyFn extends NodeFunction<Rec> {
    private static final long serialVersionUID = 1L;
    private final Expr e;

    KeyFn(String id, boolean errors, Expr e) {
      super(id, errors);
      this.e = e;
    }

    @Override
    public void processElement(Rec r, Context ctx, Collector<Rec> out) {
      Object k;
      try {
        k = e.eval(r.value);
      } catch (RuntimeException ex) {
        error(ctx, r.value, r.key, ex.getMessage());
        return;
      }
      boolean valid = k instanceof String || k instanceof Boolean || (k instanceof Number n && Double.isFinite(n.doubleValue()));
      if (!valid) {
        error(ctx, r.value, r.key, "key must be a string, a finite number or a boolean, got " + describe(k));
        return;
      }
      // -0 and 0 are one key in a JavaScript Map (SameValueZero) but two Doubles to Java.
      if (k instanceof Double d && d == 0) k = 0.0;
      out.collect(new Rec(r.value, k));
    }
  }

  /** Sends a stream nowhere but keeps it typed; used for ports without edges. */
  static DataStream<Rec> same(DataStream<Rec> s) {
    return s;
  }
}

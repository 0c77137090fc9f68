package dev.tributary.flink.expr;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * An expression, as the checked AST the embedded runtime compiles (runtime/expr: acorn's ESTree,
 * after the subset check), evaluated with JavaScript's semantics. The job never parses JavaScript:
 * `tributary flink export` writes the AST. Serializable as its JSON; the tree is built once per
 * task on first use.
 */
public final class Expr implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The AST JSON, `{params, fieldsOf, ast}`. */
  private final String json;
  private transient Node root;
  private transient List<String> params;

  public Expr(String json) {
    this.json = json;
  }

  public static Expr of(JsonNode compiled) {
    return new Expr(compiled.toString());
  }

  public String json() {
    return json;
  }

  /** Evaluate with the params' values in declaration order. Throws Js.TypeError as JavaScript would throw. */
  public Object eval(Object... args) {
    if (root == null) build();
    return root.eval(args);
  }

  public List<String> params() {
    if (root == null) build();
    return params;
  }

  private void build() {
    JsonNode n = Json.tree(json);
    List<String> ps = new ArrayList<>();
    n.get("params").forEach(p -> ps.add(p.asText()));
    JsonNode fo = n.get("fieldsOf");
    Compiler c = new Compiler(ps, fo == null || fo.isNull() ? -1 : ps.indexOf(fo.asText()));
    Node r = c.compile(n.get("ast"));
    params = ps;
    root = r;
  }

  @FunctionalInterface
  interface Node {
    Object eval(Object[] env);
  }

  /** Thrown by `a?.b` when `a` is null or undefined; the enclosing chain evaluates to undefined. */
  private static final class ShortCircuit extends RuntimeException {
    static final ShortCircuit INSTANCE = new ShortCircuit();

    private ShortCircuit() {
      super(null, null, false, false);
    }
  }

  private static final class Compiler {
    private final Map<String, Integer> params = new HashMap<>();
    private final int fieldsOf;

    Compiler(List<String> ps, int fieldsOf) {
      for (int i = 0; i < ps.size(); i++) params.put(ps.get(i), i);
      this.fieldsOf = fieldsOf;
    }

    Node compile(JsonNode n) {
      String type = n.get("type").asText();
      switch (type) {
        case "Literal": {
          if (n.path("infinity").asBoolean(false)) return env -> Double.POSITIVE_INFINITY;
          Object v = Json.value(n.get("value"));
          return env -> v;
        }
        case "Identifier":
          return identifier(n.get("name").asText());
        case "TemplateLiteral": {
          List<String> quasis = new ArrayList<>();
          n.get("quasis").forEach(q -> quasis.add(q.get("value").get("cooked").asText()));
          List<Node> exprs = list(n.get("expressions"));
          return env -> {
            StringBuilder sb = new StringBuilder(quasis.get(0));
            for (int i = 0; i < exprs.size(); i++) {
              Object v = exprs.get(i).eval(env);
              sb.append(Js.toStr(v)).append(quasis.get(i + 1));
            }
            return sb.toString();
          };
        }
        case "MemberExpression": {
          Node obj = compile(n.get("object"));
          boolean optional = n.path("optional").asBoolean(false);
          Node key;
          if (n.get("computed").asBoolean()) key = compile(n.get("property"));
          else {
            String name = n.get("property").get("name").asText();
            key = env -> name;
          }
          return env -> {
            Object o = obj.eval(env);
            if (optional && Js.isNil(o)) throw ShortCircuit.INSTANCE;
            return Js.get(o, key.eval(env));
          };
        }
        case "ChainExpression": {
          Node inner = compile(n.get("expression"));
          return env -> {
            try {
              return inner.eval(env);
            } catch (ShortCircuit s) {
              return Js.UNDEFINED;
            }
          };
        }
        case "CallExpression": {
          String name = n.get("callee").get("name").asText();
          List<Node> args = list(n.get("arguments"));
          return env -> {
            Object[] a = new Object[args.size()];
            for (int i = 0; i < a.length; i++) a[i] = args.get(i).eval(env);
            return Helpers.call(name, a);
          };
        }
        case "UnaryExpression":
          return unary(n.get("operator").asText(), compile(n.get("argument")));
        case "BinaryExpression":
          return binary(n.get("operator").asText(), compile(n.get("left")), compile(n.get("right")));
        case "LogicalExpression": {
          String op = n.get("operator").asText();
          Node l = compile(n.get("left"));
          Node r = compile(n.get("right"));
          return switch (op) {
            case "&&" -> env -> {
              Object a = l.eval(env);
              return Js.truthy(a) ? r.eval(env) : a;
            };
            case "||" -> env -> {
              Object a = l.eval(env);
              return Js.truthy(a) ? a : r.eval(env);
            };
            default -> env -> {
              Object a = l.eval(env);
              return Js.isNil(a) ? r.eval(env) : a;
            };
          };
        }
        case "ConditionalExpression": {
          Node t = compile(n.get("test"));
          Node c = compile(n.get("consequent"));
          Node a = compile(n.get("alternate"));
          return env -> Js.truthy(t.eval(env)) ? c.eval(env) : a.eval(env);
        }
        case "ArrayExpression": {
          List<Node> items = new ArrayList<>();
          List<Boolean> spread = new ArrayList<>();
          for (JsonNode e : n.get("elements")) {
            boolean s = e.get("type").asText().equals("SpreadElement");
            spread.add(s);
            items.add(compile(s ? e.get("argument") : e));
          }
          return env -> {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
              Object v = items.get(i).eval(env);
              if (spread.get(i)) out.addAll(Js.iterate(v));
              else out.add(v);
            }
            return out;
          };
        }
        case "ObjectExpression": {
          List<String> keys = new ArrayList<>();
          List<Node> values = new ArrayList<>();
          for (JsonNode p : n.get("properties")) {
            if (p.get("type").asText().equals("SpreadElement")) {
              keys.add(null);
              values.add(compile(p.get("argument")));
            } else {
              JsonNode k = p.get("key");
              keys.add(k.get("type").asText().equals("Identifier") ? k.get("name").asText() : Js.toStr(Json.value(k.get("value"))));
              values.add(compile(p.get("value")));
            }
          }
          return env -> {
            Map<String, Object> out = new LinkedHashMap<>();
            boolean indexKeys = false;
            for (int i = 0; i < keys.size(); i++) {
              Object v = values.get(i).eval(env);
              String k = keys.get(i);
              if (k != null) {
                out.put(k, v);
                indexKeys |= Js.arrayIndex(k) >= 0;
              } else indexKeys |= spreadInto(out, v);
            }
            return indexKeys ? Json.jsKeyOrder(out) : out;
          };
        }
        default:
          throw new IllegalArgumentException("unsupported expression node " + type);
      }
    }

    /** Object spread: own enumerable properties; primitives other than strings have none. */
    private static boolean spreadInto(Map<String, Object> out, Object v) {
      boolean index = false;
      if (v instanceof Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
          String k = String.valueOf(e.getKey());
          out.put(k, e.getValue());
          index |= Js.arrayIndex(k) >= 0;
        }
      } else if (v instanceof List<?> l) {
        for (int i = 0; i < l.size(); i++) out.put(Integer.toString(i), l.get(i));
        index = !l.isEmpty();
      } else if (v instanceof String s) {
        for (int i = 0; i < s.length(); i++) out.put(Integer.toString(i), String.valueOf(s.charAt(i)));
        index = !s.isEmpty();
      }
      return index;
    }

    private List<Node> list(JsonNode arr) {
      List<Node> out = new ArrayList<>();
      for (JsonNode e : arr) out.add(compile(e));
      return out;
    }

    private Node identifier(String name) {
      Integer i = params.get(name);
      if (i != null) return env -> env[i];
      switch (name) {
        case "undefined":
          return env -> Js.UNDEFINED;
        case "NaN":
          return env -> Double.NaN;
        case "Infinity":
          return env -> Double.POSITIVE_INFINITY;
        default:
          if (fieldsOf < 0) throw new IllegalArgumentException("unknown name '" + name + "'");
          int f = fieldsOf;
          return env -> Js.get(env[f], name);
      }
    }

    private static Node unary(String op, Node arg) {
      return switch (op) {
        case "!" -> env -> !Js.truthy(arg.eval(env));
        case "-" -> env -> -Js.toNumber(arg.eval(env));
        case "+" -> env -> Js.toNumber(arg.eval(env));
        case "typeof" -> env -> Js.typeOf(arg.eval(env));
        default -> throw new IllegalArgumentException("unsupported operator " + op);
      };
    }

    private static Node binary(String op, Node l, Node r) {
      return switch (op) {
        case "==" -> env -> Js.looseEquals(l.eval(env), r.eval(env));
        case "!=" -> env -> !Js.looseEquals(l.eval(env), r.eval(env));
        case "===" -> env -> Js.strictEquals(l.eval(env), r.eval(env));
        case "!==" -> env -> !Js.strictEquals(l.eval(env), r.eval(env));
        case "<" -> env -> Js.lt(l.eval(env), r.eval(env));
        case "<=" -> env -> Js.le(l.eval(env), r.eval(env));
        case ">" -> env -> Js.gt(l.eval(env), r.eval(env));
        case ">=" -> env -> Js.ge(l.eval(env), r.eval(env));
        case "+" -> env -> Js.plus(l.eval(env), r.eval(env));
        case "-" -> env -> Js.toNumber(l.eval(env)) - Js.toNumber(r.eval(env));
        case "*" -> env -> Js.toNumber(l.eval(env)) * Js.toNumber(r.eval(env));
        case "/" -> env -> Js.toNumber(l.eval(env)) / Js.toNumber(r.eval(env));
        case "%" -> env -> Js.toNumber(l.eval(env)) % Js.toNumber(r.eval(env));
        case "**" -> env -> Js.pow(Js.toNumber(l.eval(env)), Js.toNumber(r.eval(env)));
        case "in" -> env -> {
          Object k = l.eval(env);
          return Js.in(k, r.eval(env));
        };
        default -> throw new IllegalArgumentException("unsupported operator " + op);
      };
    }
  }
}

package dev.tributary.flink.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JavaScript value semantics over the Java values records are made of: null, {@link Undefined},
 * Double (every number), String, Boolean, List (arrays) and Map (objects, in insertion order).
 * Expressions run with exactly the embedded runtime's semantics (ECMA-262 abstract operations:
 * ToNumber, ToString, ToPrimitive, IsLooselyEqual, IsLessThan), so a filter keeps the same records.
 */
public final class Js {
  private Js() {}

  public static final Object UNDEFINED = Undefined.INSTANCE;

  /** A record could not be evaluated (JavaScript would throw a TypeError). */
  public static final class TypeError extends RuntimeException {
    public TypeError(String message) {
      super(message);
    }
  }

  public static boolean isNil(Object v) {
    return v == null || v == UNDEFINED;
  }

  public static boolean isObject(Object v) {
    return v instanceof Map || v instanceof List;
  }

  public static String typeOf(Object v) {
    if (v == UNDEFINED) return "undefined";
    if (v == null || isObject(v)) return "object";
    if (v instanceof Boolean) return "boolean";
    if (v instanceof Number) return "number";
    return "string";
  }

  public static boolean truthy(Object v) {
    if (isNil(v)) return false;
    if (v instanceof Boolean b) return b;
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return d != 0 && !Double.isNaN(d);
    }
    if (v instanceof String s) return !s.isEmpty();
    return true;
  }

  public static double toNumber(Object v) {
    if (v == null) return 0;
    if (v == UNDEFINED) return Double.NaN;
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof Boolean b) return b ? 1 : 0;
    if (v instanceof String s) return stringToNumber(s);
    return toNumber(toPrimitive(v));
  }

  /** StringToNumber: whitespace-trimmed decimal, Infinity, or 0x/0o/0b integers; else NaN. */
  public static double stringToNumber(String s) {
    String t = trimJs(s);
    if (t.isEmpty()) return 0;
    if (t.length() > 2 && t.charAt(0) == '0') {
      char r = Character.toLowerCase(t.charAt(1));
      int radix = r == 'x' ? 16 : r == 'o' ? 8 : r == 'b' ? 2 : 0;
      if (radix != 0) {
        try {
          return new java.math.BigInteger(t.substring(2), radix).doubleValue();
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    if (t.equals("Infinity") || t.equals("+Infinity")) return Double.POSITIVE_INFINITY;
    if (t.equals("-Infinity")) return Double.NEGATIVE_INFINITY;
    // Java's parser also takes "1d", "NaN", "0x1p3" and the like; JavaScript does not.
    if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) return Double.NaN;
    return Double.parseDouble(t);
  }

  /** String.prototype.trim's whitespace: WhiteSpace and LineTerminator code points. */
  public static String trimJs(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && isJsSpace(s.charAt(a))) a++;
    while (b > a && isJsSpace(s.charAt(b - 1))) b--;
    return s.substring(a, b);
  }

  private static boolean isJsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0xa0 || c == 0xfeff
        || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  public static String toStr(Object v) {
    if (v == null) return "null";
    if (v == UNDEFINED) return "undefined";
    if (v instanceof String s) return s;
    if (v instanceof Boolean b) return b ? "true" : "false";
    if (v instanceof Number n) return JsNumber.toString(n.doubleValue());
    if (v instanceof List<?> l) {
      // Array.prototype.join: null and undefined elements are empty.
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        Object x = l.get(i);
        if (!isNil(x)) sb.append(toStr(x));
      }
      return sb.toString();
    }
    return "[object Object]";
  }

  /** ToPrimitive with no hint: objects and arrays become their toString (no valueOf of their own). */
  public static Object toPrimitive(Object v) {
    return isObject(v) ? toStr(v) : v;
  }

  public static boolean strictEquals(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
    if (a == null || b == null || a == UNDEFINED || b == UNDEFINED) return a == b;
    if (isObject(a) || isObject(b)) return a == b;
    return a.getClass() == b.getClass() && a.equals(b);
  }

  public static boolean looseEquals(Object a, Object b) {
    if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
    if (sameType(a, b)) return strictEquals(a, b);
    if (a instanceof Boolean) return looseEquals(toNumber(a), b);
    if (b instanceof Boolean) return looseEquals(a, toNumber(b));
    if (a instanceof Number && b instanceof String) return toNumber(a) == toNumber(b);
    if (a instanceof String && b instanceof Number) return toNumber(a) == toNumber(b);
    if (isObject(a) && !isObject(b)) return looseEquals(toPrimitive(a), b);
    if (isObject(b) && !isObject(a)) return looseEquals(a, toPrimitive(b));
    return false;
  }

  private static boolean sameType(Object a, Object b) {
    return typeOf(a).equals(typeOf(b));
  }

  /** IsLessThan(a, b) with the operands already in evaluation order; null when either is NaN (undefined). */
  private static Boolean lessThan(Object a, Object b) {
    Object pa = toPrimitive(a);
    Object pb = toPrimitive(b);
    if (pa instanceof String sa && pb instanceof String sb) return sa.compareTo(sb) < 0;
    double x = toNumber(pa);
    double y = toNumber(pb);
    if (Double.isNaN(x) || Double.isNaN(y)) return null;
    return x < y;
  }

  public static boolean lt(Object a, Object b) {
    Boolean r = lessThan(a, b);
    return r != null && r;
  }

  public static boolean gt(Object a, Object b) {
    Boolean r = lessThan(b, a);
    return r != null && r;
  }

  public static boolean le(Object a, Object b) {
    Boolean r = lessThan(b, a);
    return r != null && !r;
  }

  public static boolean ge(Object a, Object b) {
    Boolean r = lessThan(a, b);
    return r != null && !r;
  }

  public static Object plus(Object a, Object b) {
    Object pa = toPrimitive(a);
    Object pb = toPrimitive(b);
    if (pa instanceof String || pb instanceof String) return toStr(pa) + toStr(pb);
    return toNumber(pa) + toNumber(pb);
  }

  /** `**`: Math.pow agrees with JavaScript's Number::exponentiate except for (±1) ** ±Infinity. */
  public static double pow(double x, double y) {
    if (Double.isNaN(y)) return Double.NaN;
    if (Math.abs(x) == 1 && Double.isInfinite(y)) return Double.NaN;
    return Math.pow(x, y);
  }

  /** `key in obj`. */
  public static boolean in(Object key, Object obj) {
    if (obj instanceof Map<?, ?> m) return m.containsKey(propertyKey(key));
    if (obj instanceof List<?> l) {
      String k = propertyKey(key);
      if (k.equals("length")) return true;
      int i = arrayIndex(k);
      return i >= 0 && i < l.size();
    }
    throw new TypeError("Cannot use 'in' operator to search for '" + toStr(key) + "' in " + toStr(obj));
  }

  public static String propertyKey(Object key) {
    return toStr(key);
  }

  /** The index a property key names, or -1 (canonical non-negative integers only). */
  public static int arrayIndex(String k) {
    if (k.isEmpty() || k.length() > 9) return -1;
    for (int i = 0; i < k.length(); i++) if (k.charAt(i) < '0' || k.charAt(i) > '9') return -1;
    if (k.length() > 1 && k.charAt(0) == '0') return -1;
    return Integer.parseInt(k);
  }

  /** obj[key] for a non-nil obj. */
  public static Object get(Object obj, Object key) {
    if (isNil(obj)) throw new TypeError("Cannot read properties of " + toStr(obj) + " (reading '" + toStr(key) + "')");
    String k = propertyKey(key);
    if (obj instanceof Map<?, ?> m) {
      Object v = m.get(k);
      return v == null && !m.containsKey(k) ? UNDEFINED : v;
    }
    if (obj instanceof List<?> l) {
      if (k.equals("length")) return (double) l.size();
      int i = arrayIndex(k);
      return i >= 0 && i < l.size() ? l.get(i) : UNDEFINED;
    }
    if (obj instanceof String s) {
      if (k.equals("length")) return (double) s.length();
      int i = arrayIndex(k);
      return i >= 0 && i < s.length() ? String.valueOf(s.charAt(i)) : UNDEFINED;
    }
    return UNDEFINED;
  }

  /** What `...x` spreads into an array: arrays and strings are iterable, nothing else is. */
  public static List<Object> iterate(Object v) {
    if (v instanceof List<?> l) return new ArrayList<>(l);
    if (v instanceof String s) {
      List<Object> out = new ArrayList<>();
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    throw new TypeError(toStr(v) + " is not iterable");
  }

  public static Double num(double d) {
    return d;
  }
}

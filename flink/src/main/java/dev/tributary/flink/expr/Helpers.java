package dev.tributary.flink.expr;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expression helpers, to the semantics documented in docs/pipeline-format.md and implemented
 * by runtime/expr/helpers.ts (SQL null semantics: a null or undefined required input gives null).
 * The shared case table test/flink/expression-cases.json holds both implementations to the same answers.
 */
public final class Helpers {
  private Helpers() {}

  private static boolean nil(Object x) {
    return Js.isNil(x);
  }

  /** Strings as they are, objects and arrays as JSON, everything else by ToString. */
  static String str(Object x) {
    if (x instanceof String s) return s;
    if (Js.isObject(x)) return Json.stringify(x);
    return Js.toStr(x);
  }

  private static double num(Object x) {
    return Js.toNumber(x);
  }

  /** Math.trunc(x) || 0. */
  private static double truncOr0(double d) {
    if (Double.isNaN(d)) return 0;
    double t = d < 0 ? Math.ceil(d) : Math.floor(d);
    return t == 0 ? 0 : t;
  }

  /** String.prototype.slice(from, to) with from, to already clamped to be >= 0. */
  private static String slice(String s, double from, double to) {
    int a = (int) Math.min(from, s.length());
    int b = (int) Math.min(Math.max(to, 0), s.length());
    return a >= b ? "" : s.substring(a, b);
  }

  public static Object call(String name, Object[] a) {
    switch (name) {
      case "lower": return nil(a[0]) ? null : str(a[0]).toLowerCase(java.util.Locale.ROOT);
      case "upper": return nil(a[0]) ? null : str(a[0]).toUpperCase(java.util.Locale.ROOT);
      case "trim": return nil(a[0]) ? null : Js.trimJs(str(a[0]));
      case "length":
        if (nil(a[0])) return null;
        return a[0] instanceof List<?> l ? (double) l.size() : (double) str(a[0]).length();
      case "concat": {
        StringBuilder sb = new StringBuilder();
        for (Object x : a) {
          if (nil(x)) return null;
          sb.append(str(x));
        }
        return sb.toString();
      }
      case "substring": {
        if (nil(a[0]) || nil(a[1])) return null;
        String text = str(a[0]);
        double from = Math.max(0, truncOr0(num(a[1])));
        if (a.length < 3 || nil(a[2])) return slice(text, from, text.length());
        double n = truncOr0(num(a[2]));
        return n <= 0 ? "" : slice(text, from, from + n);
      }
      case "contains":
        if (nil(a[0]) || nil(a[1])) return null;
        if (a[0] instanceof List<?> l) {
          for (Object x : l) if (sameValueZero(x, a[1])) return true;
          return false;
        }
        return str(a[0]).contains(str(a[1]));
      case "startsWith": return nil(a[0]) || nil(a[1]) ? null : str(a[0]).startsWith(str(a[1]));
      case "endsWith": return nil(a[0]) || nil(a[1]) ? null : str(a[0]).endsWith(str(a[1]));
      case "abs": return nil(a[0]) ? null : Math.abs(num(a[0]));
      case "round": return nil(a[0]) ? null : round(num(a[0]), a.length < 2 || nil(a[1]) ? 0 : truncNaN(num(a[1])));
      case "floor": return nil(a[0]) ? null : Math.floor(num(a[0]));
      case "ceil": return nil(a[0]) ? null : Math.ceil(num(a[0]));
      case "sqrt": return nil(a[0]) ? null : Math.sqrt(num(a[0]));
      case "pow": return nil(a[0]) || nil(a[1]) ? null : Js.pow(num(a[0]), num(a[1]));
      case "min":
      case "max": {
        Object best = null;
        for (int i = 0; i < a.length; i++) {
          if (nil(a[i])) return null;
          if (i == 0 || (name.equals("min") ? Js.lt(a[i], best) : Js.gt(a[i], best))) best = a[i];
        }
        return best;
      }
      case "coalesce":
        for (Object x : a) if (!nil(x)) return x;
        return null;
      case "toNumber": return toNumber(a[0]);
      case "toString": return nil(a[0]) ? null : str(a[0]);
      case "hash": return nil(a[0]) ? null : hash(str(a[0]));
      case "timestamp": return timestamp(a[0]);
      case "sum": return sum(a[0], a.length > 1 ? a[1] : Js.UNDEFINED);
      case "dateFormat": return dateFormat(a[0], a[1]);
      default: throw new IllegalArgumentException("unknown helper " + name);
    }
  }

  private static double truncNaN(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) return d;
    return d < 0 ? Math.ceil(d) : Math.floor(d);
  }

  private static boolean sameValueZero(Object x, Object y) {
    if (x instanceof Number p && y instanceof Number q) {
      double u = p.doubleValue();
      double v = q.doubleValue();
      return u == v || (Double.isNaN(u) && Double.isNaN(v));
    }
    return Js.strictEquals(x, y);
  }

  /** Math.round: the closest integer, ties towards +Infinity. */
  private static double mathRound(double a) {
    if (Double.isNaN(a) || Double.isInfinite(a) || Math.abs(a) >= 4503599627370496.0) return a;
    double r = Math.floor(a);
    return a - r >= 0.5 ? r + 1 : r;
  }

  /** SQL ROUND: half away from zero, shifting by exponent notation so 1.005 rounds as written. */
  static double round(double v, double d) {
    double sign = v < 0 ? -1 : 1;
    double a = Math.abs(v);
    if (d == 0) return sign * mathRound(a);
    String text = JsNumber.toString(a);
    if (text.contains("e")) {
      double f = Js.pow(10, d);
      return (sign * mathRound(a * f)) / f;
    }
    double shifted = Js.stringToNumber(text + "e" + JsNumber.toString(d));
    return sign * Js.stringToNumber(JsNumber.toString(mathRound(shifted)) + "e" + JsNumber.toString(-d));
  }

  private static Object toNumber(Object x) {
    if (nil(x)) return null;
    if (x instanceof Number n) return Double.isNaN(n.doubleValue()) ? null : n.doubleValue();
    if (x instanceof Boolean b) return b ? 1.0 : 0.0;
    String s = Js.trimJs(str(x));
    if (s.isEmpty()) return null;
    double n = Js.stringToNumber(s);
    return Double.isNaN(n) ? null : n;
  }

  /** FNV-1a over the UTF-8 bytes (lone surrogates as U+FFFD, as TextEncoder encodes them). */
  static double hash(String text) {
    int h = 0x811c9dc5;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x01000193;
    }
    return h & 0xffffffffL;
  }

  private static final Pattern ISO = Pattern.compile(
      "^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?)?\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)?$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern NUMERIC = Pattern.compile("^-?\\d+(\\.\\d+)?$");

  /** Epoch ms from a number or an ISO-8601 string (UTC without a zone). */
  static Object timestamp(Object x) {
    if (nil(x)) return null;
    if (x instanceof Number n) return Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    String s = Js.trimJs(str(x));
    if (s.isEmpty()) return null;
    if (NUMERIC.matcher(s).matches()) return Js.stringToNumber(s);
    Matcher m = ISO.matcher(s);
    if (!m.matches()) return null; // the embedded runtime falls back to Date.parse here (see docs: differences)
    double ms = m.group(7) != null ? Math.floor(Double.parseDouble("0." + m.group(7)) * 1000) : 0;
    double t = dateUtc(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)) - 1, Integer.parseInt(m.group(3)),
        m.group(4) == null ? 0 : Integer.parseInt(m.group(4)), m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
        m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), ms);
    String zone = m.group(8);
    if (zone != null && !zone.equalsIgnoreCase("Z")) {
      int sign = zone.charAt(0) == '-' ? -1 : 1;
      String digits = zone.substring(1).replace(":", "");
      int offsetMin = Integer.parseInt(digits.substring(0, 2)) * 60 + (digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0);
      t -= sign * offsetMin * 60_000.0;
    }
    return t;
  }

  /** Date.UTC: out-of-range fields carry over (month 12 is January of the next year). */
  private static double dateUtc(int year, int month, int day, int h, int min, int sec, double ms) {
    long y = year + Math.floorDiv(month, 12);
    int mo = Math.floorMod(month, 12);
    long days = LocalDate.of((int) y, mo + 1, 1).toEpochDay() + day - 1;
    return days * 86_400_000.0 + h * 3_600_000.0 + min * 60_000.0 + sec * 1000.0 + ms;
  }

  private static Object sum(Object xs, Object field) {
    if (nil(xs)) return null;
    if (!(xs instanceof List<?> list)) throw new Js.TypeError("sum needs a list, not " + Js.typeOf(xs));
    String f = nil(field) ? null : str(field);
    double total = 0;
    for (Object x : list) {
      Object v = f == null ? x : nil(x) ? x : Js.get(x, f);
      if (nil(v)) continue;
      if (!(v instanceof Number n)) throw new Js.TypeError("sum: " + Json.stringify(v) + " is not a number");
      total += n.doubleValue();
    }
    return total;
  }

  private static String pad(long n, int width) {
    String s = Long.toString(n);
    StringBuilder sb = new StringBuilder();
    for (int i = s.length(); i < width; i++) sb.append('0');
    return sb.append(s).toString();
  }

  /** Java/Flink DATE_FORMAT letters (yyyy yy MM dd HH mm ss SSS), always UTC; quoted text literal. */
  static Object dateFormat(Object ms, Object pattern) {
    Object t0 = timestamp(ms);
    if (t0 == null || nil(pattern)) return null;
    double t = (Double) t0;
    if (Math.abs(t) > 8.64e15) return null;
    long time = (long) t; // TimeClip truncates towards zero
    ZonedDateTime d = Instant.ofEpochMilli(time).atZone(ZoneOffset.UTC);
    String p = str(pattern);
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < p.length()) {
      char ch = p.charAt(i);
      if (ch == '\'') {
        if (i + 1 < p.length() && p.charAt(i + 1) == '\'') {
          out.append('\'');
          i += 2;
          continue;
        }
        i++;
        while (i < p.length()) {
          if (p.charAt(i) == '\'') {
            if (i + 1 >= p.length() || p.charAt(i + 1) != '\'') break;
            i++;
          }
          out.append(p.charAt(i));
          i++;
        }
        i++;
        continue;
      }
      int j = i;
      while (j < p.length() && p.charAt(j) == ch) j++;
      int n = j - i;
      switch (ch) {
        case 'y' -> out.append(n == 2 ? pad(d.getYear() % 100, 2) : pad(d.getYear(), n));
        case 'M' -> out.append(pad(d.getMonthValue(), n));
        case 'd' -> out.append(pad(d.getDayOfMonth(), n));
        case 'H' -> out.append(pad(d.getHour(), n));
        case 'm' -> out.append(pad(d.getMinute(), n));
        case 's' -> out.append(pad(d.getSecond(), n));
        case 'S' -> {
          String s = pad(d.getNano() / 1_000_000, 3);
          s = s.substring(0, Math.min(n, s.length()));
          StringBuilder sb = new StringBuilder(s);
          while (sb.length() < n) sb.append('0');
          out.append(sb);
        }
        default -> out.append(p, i, j);
      }
      i = j;
    }
    return out.toString();
  }

  static boolean isMap(Object o) {
    return o instanceof Map;
  }
}

package dev.tributary.flink.expr;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * JavaScript's Number::toString (ECMA-262 6.1.6.1.20): the shortest decimal that reads back as the
 * same double, in plain notation for exponents -7 < n <= 21 and exponential notation otherwise.
 * Java's Double.toString differs (1.0E21, "1.0"), and records must print as the embedded runtime
 * prints them.
 */
public final class JsNumber {
  private JsNumber() {}

  public static String toString(double v) {
    if (Double.isNaN(v)) return "NaN";
    if (v == 0) return "0";
    if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    // Every sink writes every number through here: keep the common cases off BigDecimal, which
    // cost more than the rest of a window job's output path together.
    if (v == Math.rint(v) && Math.abs(v) <= MAX_SAFE) return Long.toString((long) v);
    // Larger integers print their shortest digits padded with zeros (2**68 is 295147905179352830000
    // in JavaScript, not its exact 295147905179352825856): the search below.
    String sign = v < 0 ? "-" : "";
    String fast = Math.abs(v) >= Double.MIN_NORMAL ? fromJava(Math.abs(v)) : null;
    if (fast != null) return sign + fast;
    BigDecimal exact = new BigDecimal(Math.abs(v));
    BigDecimal shortest = null;
    // At each length both neighbours of the exact value: near a power of two the interval that
    // reads back is lopsided, so the nearest p-digit decimal may not read back while the one on
    // the other side does (2^-24 prints 5.960464477539063e-8). Of two that read back, the nearer;
    // of two as near, the even one (ECMA-262 Number::toString, note 2).
    for (int p = 1; p <= 17 && shortest == null; p++) {
      BigDecimal lo = exact.round(new MathContext(p, RoundingMode.FLOOR));
      BigDecimal hi = exact.round(new MathContext(p, RoundingMode.CEILING));
      boolean loOk = lo.doubleValue() == Math.abs(v);
      boolean hiOk = hi.doubleValue() == Math.abs(v);
      if (loOk && hiOk && lo.compareTo(hi) != 0) {
        int c = exact.subtract(lo).compareTo(hi.subtract(exact));
        shortest = c < 0 ? lo : c > 0 ? hi : (lo.unscaledValue().testBit(0) ? hi : lo);
      } else if (loOk) shortest = lo;
      else if (hiOk) shortest = hi;
    }
    if (shortest == null) shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    String digits = shortest.unscaledValue().toString().replaceAll("0+$", "");
    if (digits.isEmpty()) digits = "0";
    // value = 0.digits × 10^n
    return sign + layout(digits, shortest.precision() - shortest.scale());
  }

  /** 2^53 − 1: every integer up to it is a long exactly, and prints as one. */
  private static final double MAX_SAFE = 9007199254740991d;

  /**
   * The digits of Java's Double.toString when they are at most 15: it always reads back as the
   * same double, and Java 17's is not always the shortest (JDK-4511638) — but no other decimal of
   * at most 15 significant digits reads back as the same double (DBL_DIG = 15; subnormals, with fewer digits, are left to the exact search), so a 15-digit or
   * shorter answer is the shortest. Null when it has more digits (the exact search decides).
   */
  private static String fromJava(double v) {
    String j = Double.toString(v);
    int e = j.indexOf('E');
    String mantissa = e < 0 ? j : j.substring(0, e);
    int exp = e < 0 ? 0 : Integer.parseInt(j.substring(e + 1));
    int dot = mantissa.indexOf('.');
    String all = mantissa.substring(0, dot) + mantissa.substring(dot + 1);
    int lead = 0;
    while (lead < all.length() - 1 && all.charAt(lead) == '0') lead++;
    int end = all.length();
    while (end > lead + 1 && all.charAt(end - 1) == '0') end--;
    String digits = all.substring(lead, end);
    if (digits.length() > 15) return null;
    // mantissa = 0.all × 10^dot; the leading zeros move the point left.
    return layout(digits, dot - lead + exp);
  }

  /** JavaScript's layout of value = 0.digits × 10^n (ECMA-262 Number::toString steps 6–10). */
  private static String layout(String digits, int n) {
    int k = digits.length();
    StringBuilder out = new StringBuilder();
    if (k <= n && n <= 21) {
      out.append(digits);
      for (int i = 0; i < n - k; i++) out.append('0');
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.");
      for (int i = 0; i < -n; i++) out.append('0');
      out.append(digits);
    } else {
      out.append(digits.charAt(0));
      if (k > 1) out.append('.').append(digits, 1, k);
      int e = n - 1;
      out.append('e').append(e >= 0 ? "+" : "-").append(Math.abs(e));
    }
    return out.toString();
  }
}

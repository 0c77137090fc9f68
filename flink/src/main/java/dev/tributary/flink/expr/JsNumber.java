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
    if (v == Math.rint(v) && Math.abs(v) < 1e21) return new BigDecimal(v).toPlainString();
    String sign = v < 0 ? "-" : "";
    BigDecimal exact = new BigDecimal(Math.abs(v));
    BigDecimal shortest = null;
    for (int p = 1; p <= 17; p++) {
      BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == Math.abs(v)) {
        shortest = r;
        break;
      }
    }
    if (shortest == null) shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    String digits = shortest.unscaledValue().toString().replaceAll("0+$", "");
    if (digits.isEmpty()) digits = "0";
    int k = digits.length();
    // value = 0.digits × 10^n
    int n = shortest.precision() - shortest.scale();
    StringBuilder out = new StringBuilder(sign);
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

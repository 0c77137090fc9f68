package dev.tributary.flink.infer;

import dev.tributary.flink.expr.JsNumber;

/**
 * The numbers of a kserve-v2 FP32 JSON tensor as runtime/nodes/infer/json-numbers.ts prints them,
 * step for step in the same double arithmetic: the float32 the server will hold, with 9
 * significant digits (enough for any float32 to read back unchanged, also through a double),
 * trailing zeros dropped; integers whole; numbers at or beyond 1e15, and scalings past 10^±22,
 * in JavaScript's shortest form.
 */
final class Float32Text {
  private Float32Text() {}

  private static final double[] POW10 = new double[23];
  private static final double MAX_SAFE = 9007199254740992.0;

  static {
    for (int i = 0; i < 23; i++) POW10[i] = Double.parseDouble("1e" + i);
  }

  static void write(StringBuilder w, double x) {
    double f = (float) x;
    if (!Double.isFinite(f)) {
      w.append(Double.isFinite(x) ? JsNumber.toString(x) : "null");
      return;
    }
    double a = Math.abs(f);
    if (a == Math.rint(a) && a < MAX_SAFE) {
      if (f < 0) w.append('-');
      w.append((long) a);
      return;
    }
    long[] s = scale(a, 9);
    if (s == null || s[1] >= 15) {
      w.append(JsNumber.toString(f));
      return;
    }
    decimal(w, f < 0, s[0], 9, (int) s[1]);
  }

  /** a rounded to sig significant digits: {digits, power of ten of the first}; null outside 10^±22 scaling. */
  private static long[] scale(double a, int sig) {
    int exp = (int) Math.floor(Math.log10(a));
    for (int tries = 0; tries < 2; tries++) {
      int p = sig - 1 - exp;
      if (p > 22 || p < -22) return null;
      double m = jsRound(p >= 0 ? a * POW10[p] : a / POW10[-p]);
      if (m >= POW10[sig]) exp++;
      else if (m < POW10[sig - 1]) exp--;
      else return new long[] {(long) m, exp};
    }
    return null;
  }

  /** Math.round of JavaScript for non-negative numbers: halves up. */
  private static double jsRound(double v) {
    double f = Math.floor(v);
    return v - f >= 0.5 ? f + 1 : f;
  }

  private static void decimal(StringBuilder w, boolean neg, long m, int sig, int exp) {
    while (sig > 1 && m % 10 == 0 && (exp >= 15 || sig - 1 > exp)) {
      m /= 10;
      sig--;
    }
    if (neg) w.append('-');
    String d = Long.toString(m);
    if (exp >= 0 && exp < 15) {
      if (sig <= exp + 1) {
        w.append(d);
        for (int k = 0; k < exp + 1 - sig; k++) w.append('0');
        return;
      }
      w.append(d, 0, exp + 1).append('.').append(d, exp + 1, d.length());
      return;
    }
    if (exp < 0 && exp > -7) {
      w.append("0.");
      for (int k = -1; k > exp; k--) w.append('0');
      w.append(d);
      return;
    }
    w.append(d.charAt(0));
    if (sig > 1) w.append('.').append(d, 1, d.length());
    w.append('e');
    if (exp < 0) w.append('-');
    w.append(Math.abs(exp));
  }
}

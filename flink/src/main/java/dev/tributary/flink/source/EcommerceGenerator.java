package dev.tributary.flink.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clickstream model of runtime/nodes/source-generator/ecommerce.ts, ported line for line so the
 * same seed gives the same events record for record (checked by test/flink/generator.test.ts).
 * JavaScript's int32 operations (|0, >>>, Math.imul) are Java int arithmetic; its Math.exp/log/cos
 * are fdlibm ports, as StrictMath is; Math.round is {@link #jsRound}. See the TypeScript file for
 * the model itself.
 */
public final class EcommerceGenerator {
  private static final Object[][] CATEGORY_TABLE = {
    {"electronics", 180.0, 0.9}, {"books", 14.0, 0.45}, {"fashion", 40.0, 0.6}, {"home", 45.0, 0.7},
    {"toys", 22.0, 0.6}, {"sports", 38.0, 0.75}, {"beauty", 18.0, 0.55}, {"grocery", 5.0, 0.6},
    {"garden", 30.0, 0.8}, {"automotive", 35.0, 0.9}, {"health", 16.0, 0.6}, {"music", 12.0, 0.7},
    {"movies", 13.0, 0.4}, {"games", 45.0, 0.5}, {"office", 15.0, 0.7}, {"pets", 20.0, 0.65},
    {"jewelry", 90.0, 1.0}, {"baby", 25.0, 0.6}, {"computers", 350.0, 0.8}, {"kitchen", 35.0, 0.75},
  };
  private static final int EAGER_USER_IDS = 1 << 20;
  private static final int DRIFT_EVERY = 5000;
  private static final double CART_SHARE = 0.35;
  private static final double P_ADD = 0.22;
  private static final double P_REMOVE = 0.04;
  private static final double P_CLICK = 0.43;
  private static final double P_RELATED = 0.25;
  private static final double P_FOCUS = 0.85;
  private static final double P_SECOND_CATEGORY = 0.4;
  private static final double P_USE_SECOND = 0.35;
  private static final double P_DISORDER = 0.1;
  private static final int MAX_CART = 8;
  private static final int MIN_LEN = 3;
  private static final int SPAN_LEN = 34;
  private static final double INV_2_32 = 1 / 4294967296.0;
  private static final int T_VIEW = 0, T_CLICK = 1, T_ADD = 2, T_REMOVE = 3, T_PURCHASE = 4;
  private static final String[] TYPE_NAMES = {"VIEW", "CLICK", "ADD_TO_CART", "REMOVE_FROM_CART", "PURCHASE"};
  private static final int F_C1 = 0, F_C2 = 1, F_REMAINING = 2, F_CART = 3, F_BUY = 4, F_PHASE = 5, F_LAST_TYPE = 6,
      F_LAST_PRODUCT = 7, F_PENDING = 8, F_CART_LEN = 9, F_PURCHASE_IDX = 10, F_DEVICE = 11, STRIDE = 16;
  private static final int CART_STRIDE = 2 * MAX_CART;
  private static final int PH_NEW = 0, PH_BROWSE = 1, PH_PURCHASE = 2;
  private static final String[] DEVICES = {"mobile", "desktop", "tablet"};

  /** Options as the generator node's params resolve them (runtime/nodes/source-generator/operator.ts). */
  public record Options(double seed, int users, int products, int categories, double abandonment, double startTime,
      double eventTimeRate, double disorder, int concurrentSessions) implements java.io.Serializable {}

  private int s;
  private final int nUsers;
  private final int nProducts;
  private final double abandonment;
  private final double startTime;
  private final double step;
  private final double disorder;
  private final String[] productIds;
  private final int[] productCat;
  private final String[] productCatName;
  private final double[] productPrice;
  private final int[] catPos;
  private int off = 0;
  private int driftLeft = DRIFT_EVERY;
  private final double gLog;
  private final int[] catStart;
  private final int[] catSize;
  private final int[] catRot;
  private final int[] catList;
  private final double[] catLog;
  private final String[] userIds;
  private final int userWidth;
  private final long[] userSessions;
  private final int nSessions;
  private final int[] st;
  private final int[] cart;
  private final double[] lastTs;
  private final String[] ids;
  private long emitted = 0;

  static int fmix32(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** ToInt32 of an integral double (JavaScript's `x | 0` and `x >>> 0` keep the low 32 bits). */
  private static int int32(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) return 0;
    double t = d < 0 ? Math.ceil(d) : Math.floor(d);
    return (int) (long) (t % 4294967296.0);
  }

  static int seedState(double seed, int salt) {
    int lo = int32(seed);
    int hi = int32(Math.floor(seed / 4294967296.0));
    int frac = int32(Math.floor((seed - Math.floor(seed)) * 4294967296.0));
    return fmix32(lo ^ fmix32(hi ^ fmix32(frac ^ salt)) ^ salt);
  }

  private static double mulberry(int t) {
    t *= 1;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    return ((t ^ (t >>> 14)) & 0xffffffffL) * INV_2_32;
  }

  /** Math.round: closest integer, ties towards +Infinity. */
  static double jsRound(double a) {
    if (Double.isNaN(a) || Double.isInfinite(a) || Math.abs(a) >= 4503599627370496.0) return a;
    double r = Math.floor(a);
    return a - r >= 0.5 ? r + 1 : r;
  }

  private static String padId(String prefix, long n, int width) {
    String d = Long.toString(n);
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = d.length(); i < width; i++) sb.append('0');
    return sb.append(d).toString();
  }

  private static int idWidth(int count, int min) {
    return Math.max(min, Integer.toString(Math.max(0, count - 1)).length());
  }

  public EcommerceGenerator(Options o) {
    nUsers = o.users();
    nProducts = o.products();
    abandonment = o.abandonment();
    startTime = Math.floor(o.startTime());
    step = 1000 / o.eventTimeRate();
    disorder = Math.floor(o.disorder());
    s = seedState(o.seed(), 0x9e3779b9);

    int[] crng = {seedState(o.seed(), 0x7f4a7c15)};
    int n = o.products();
    int nc = o.categories();
    String[] catNames = new String[nc];
    for (int c = 0; c < nc; c++) {
      String base = (String) CATEGORY_TABLE[c % CATEGORY_TABLE.length][0];
      int round = c / CATEGORY_TABLE.length;
      catNames[c] = round == 0 ? base : base + "-" + (round + 1);
    }
    int pWidth = idWidth(n, 4);
    int[] cat = new int[n];
    String[] cId = new String[n];
    String[] cCat = new String[n];
    double[] cPrice = new double[n];
    for (int i = 0; i < n; i++) {
      int c = i < nc ? i : (int) Math.floor(next(crng) * nc);
      Object[] spec = CATEGORY_TABLE[c % CATEGORY_TABLE.length];
      double u1 = 1 - next(crng);
      double u2 = next(crng);
      double z = Math.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
      double price = (Double) spec[1] * StrictMath.exp((Double) spec[2] * z);
      if (price >= 2 && next(crng) < 0.6) price = Math.floor(price) + 0.99;
      price = Math.max(0.99, jsRound(price * 100) / 100);
      cat[i] = c;
      cId[i] = padId("p", i, pWidth);
      cCat[i] = catNames[c];
      cPrice[i] = price;
    }
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = (int) Math.floor(next(crng) * (i + 1));
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    productIds = new String[n];
    productCatName = new String[n];
    productCat = new int[n];
    productPrice = new double[n];
    for (int q = 0; q < n; q++) {
      productIds[q] = cId[perm[q]];
      productCatName[q] = cCat[perm[q]];
      productCat[q] = cat[perm[q]];
      productPrice[q] = cPrice[perm[q]];
    }
    gLog = StrictMath.log(2.0 * n + 1);
    catSize = new int[nc];
    for (int q = 0; q < n; q++) catSize[productCat[q]]++;
    catStart = new int[nc];
    for (int c = 1; c < nc; c++) catStart[c] = catStart[c - 1] + catSize[c - 1];
    catRot = new int[nc];
    catLog = new double[nc];
    for (int c = 0; c < nc; c++) catLog[c] = StrictMath.log(2.0 * catSize[c] + 1);
    catList = new int[n];
    catPos = new int[n];
    int[] fill = new int[nc];
    for (int q = 0; q < n; q++) {
      int c = productCat[q];
      int k = fill[c]++;
      catList[catStart[c] + k] = q;
      catPos[q] = k;
    }
    userWidth = idWidth(o.users(), 5);
    userIds = new String[o.users() <= EAGER_USER_IDS ? o.users() : 0];
    for (int u = 0; u < userIds.length; u++) userIds[u] = padId("u", u, userWidth);
    userSessions = new long[o.users()];
    int ns = o.concurrentSessions() > 0 ? o.concurrentSessions() : Math.min(o.users(), 2000);
    nSessions = ns;
    st = new int[ns * STRIDE];
    cart = new int[ns * CART_STRIDE];
    lastTs = new double[ns];
    ids = new String[2 * ns];
    for (int i = 0; i < ns; i++) startSession(i);
  }

  private static double next(int[] state) {
    state[0] = state[0] + 0x6d2b79f5;
    return mulberry(state[0]);
  }

  private double rnd() {
    s = s + 0x6d2b79f5;
    return mulberry(s);
  }

  private int zipfRank(int m, double ln2m1) {
    int r = (int) (0.5 * StrictMath.exp(rnd() * ln2m1) - 0.5);
    return r < m ? r : m - 1;
  }

  private int sampleGlobal() {
    int q = zipfRank(nProducts, gLog) - off;
    return q < 0 ? q + nProducts : q;
  }

  private int sampleCategory(int c) {
    int m = catSize[c];
    int idx = zipfRank(m, catLog[c]) + m - catRot[c];
    if (idx >= m) idx -= m;
    return catList[catStart[c] + idx];
  }

  private int sampleRelated(int prod, double u) {
    int c = productCat[prod];
    int m = catSize[c];
    int d = 1 + (int) (u * 6);
    if (d > 3) d = 3 - d;
    int idx = (catPos[prod] + d) % m;
    if (idx < 0) idx += m;
    return catList[catStart[c] + idx];
  }

  private void drift() {
    int n = nProducts;
    int c = productCat[n - 1 - off];
    int k = catRot[c] + 1;
    catRot[c] = k >= catSize[c] ? 0 : k;
    off = off + 1 >= n ? 0 : off + 1;
  }

  private void startSession(int slot) {
    int b = slot * STRIDE;
    double uu = rnd() * nUsers;
    int u = (int) uu;
    double d = uu - u;
    String userId = userIds.length > 0 ? userIds[u] : padId("u", u, userWidth);
    long k = userSessions[u] + 1;
    userSessions[u] = k;
    ids[2 * slot] = userId;
    ids[2 * slot + 1] = userId + "-s" + k;
    st[b + F_DEVICE] = d < 0.55 ? 0 : d < 0.9 ? 1 : 2;
    double l = rnd();
    st[b + F_REMAINING] = MIN_LEN + (int) Math.floor(SPAN_LEN * l * l);
    double c = rnd();
    boolean willCart = c < CART_SHARE;
    st[b + F_CART] = willCart ? 1 : 0;
    st[b + F_BUY] = willCart && c * (1 / CART_SHARE) >= abandonment ? 1 : 0;
    st[b + F_PHASE] = PH_NEW;
    st[b + F_C1] = 0;
    st[b + F_C2] = -1;
    st[b + F_LAST_TYPE] = -1;
    st[b + F_LAST_PRODUCT] = -1;
    st[b + F_PENDING] = -1;
    st[b + F_CART_LEN] = 0;
    st[b + F_PURCHASE_IDX] = 0;
    lastTs[slot] = startTime;
  }

  /** The next event, as the record the embedded runtime emits (fields in its order). */
  public Map<String, Object> nextEvent() {
    if (--driftLeft == 0) {
      driftLeft = DRIFT_EVERY;
      drift();
    }
    double us = rnd() * nSessions;
    int slot = (int) us;
    double uDisorder = us - slot;
    int b = slot * STRIDE;
    int type;
    int prod;
    int qty = 1;
    boolean end = false;
    int phase = st[b + F_PHASE];
    if (phase == PH_PURCHASE) {
      int i = st[b + F_PURCHASE_IDX];
      int cb = slot * CART_STRIDE;
      type = T_PURCHASE;
      prod = cart[cb + i];
      qty = cart[cb + MAX_CART + i];
      st[b + F_PURCHASE_IDX] = i + 1;
      end = i + 1 >= st[b + F_CART_LEN];
    } else {
      if (phase == PH_NEW) {
        st[b + F_PHASE] = PH_BROWSE;
        type = T_VIEW;
        prod = sampleGlobal();
        st[b + F_C1] = productCat[prod];
        st[b + F_C2] = rnd() < P_SECOND_CATEGORY ? productCat[sampleGlobal()] : -1;
      } else if (st[b + F_PENDING] >= 0) {
        type = T_VIEW;
        prod = st[b + F_PENDING];
        st[b + F_PENDING] = -1;
      } else {
        double u = rnd();
        int cartLen = st[b + F_CART_LEN];
        type = -1;
        prod = -1;
        if (st[b + F_CART] == 1 && st[b + F_LAST_TYPE] == T_VIEW && cartLen < MAX_CART) {
          if (u < P_ADD || (cartLen == 0 && st[b + F_REMAINING] <= 1)) {
            type = T_ADD;
            prod = st[b + F_LAST_PRODUCT];
            double q = u < P_ADD ? u * (1 / P_ADD) : (u - P_ADD) * (1 / (1 - P_ADD));
            qty = q < 0.72 ? 1 : q < 0.92 ? 2 : 3;
            int cb = slot * CART_STRIDE;
            int i = 0;
            while (i < cartLen && cart[cb + i] != prod) i++;
            if (i < cartLen) {
              cart[cb + MAX_CART + i] = cart[cb + MAX_CART + i] + qty;
            } else {
              cart[cb + i] = prod;
              cart[cb + MAX_CART + i] = qty;
              st[b + F_CART_LEN] = cartLen + 1;
            }
          } else {
            u = (u - P_ADD) * (1 / (1 - P_ADD));
          }
        }
        if (type < 0 && cartLen > 0) {
          if (u < P_REMOVE) {
            type = T_REMOVE;
            double v = u * (cartLen / P_REMOVE);
            int i = (int) v;
            int cb = slot * CART_STRIDE;
            prod = cart[cb + i];
            int have = cart[cb + MAX_CART + i];
            if (have > 1 && v - i < 0.5) {
              cart[cb + MAX_CART + i] = have - 1;
            } else {
              qty = have;
              for (int j = i + 1; j < cartLen; j++) {
                cart[cb + j - 1] = cart[cb + j];
                cart[cb + MAX_CART + j - 1] = cart[cb + MAX_CART + j];
              }
              st[b + F_CART_LEN] = cartLen - 1;
            }
          } else {
            u = (u - P_REMOVE) * (1 / (1 - P_REMOVE));
          }
        }
        if (type < 0) {
          if (u < P_CLICK) {
            type = T_CLICK;
            u *= 1 / P_CLICK;
          } else {
            type = T_VIEW;
            u = (u - P_CLICK) * (1 / (1 - P_CLICK));
          }
          if (u < P_RELATED) {
            prod = sampleRelated(st[b + F_LAST_PRODUCT], u * (1 / P_RELATED));
          } else if (u < P_FOCUS) {
            int c2 = st[b + F_C2];
            boolean useC2 = c2 >= 0 && (u - P_RELATED) * (1 / (P_FOCUS - P_RELATED)) < P_USE_SECOND;
            prod = sampleCategory(useC2 ? c2 : st[b + F_C1]);
          } else {
            prod = sampleGlobal();
          }
          if (type == T_CLICK) st[b + F_PENDING] = prod;
        }
      }
      st[b + F_LAST_TYPE] = type;
      st[b + F_LAST_PRODUCT] = prod;
      int left = st[b + F_REMAINING] - 1;
      st[b + F_REMAINING] = left;
      if (left <= 0 && st[b + F_PENDING] < 0 && (st[b + F_CART] == 0 || st[b + F_CART_LEN] > 0)) {
        if (st[b + F_BUY] == 1) {
          st[b + F_PHASE] = PH_PURCHASE;
          st[b + F_PURCHASE_IDX] = 0;
        } else {
          end = true;
        }
      }
    }
    long k = emitted++;
    double t = startTime + Math.floor(k * step);
    if (disorder > 0 && uDisorder < P_DISORDER) {
      t -= Math.floor(rnd() * (disorder + 1));
    }
    double prev = lastTs[slot];
    if (t < prev) t = prev;
    lastTs[slot] = t;
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("eventId", (double) (k + 1));
    ev.put("ts", t);
    ev.put("userId", ids[2 * slot]);
    ev.put("sessionId", ids[2 * slot + 1]);
    ev.put("eventType", TYPE_NAMES[type]);
    ev.put("productId", productIds[prod]);
    ev.put("category", productCatName[prod]);
    ev.put("price", productPrice[prod]);
    ev.put("quantity", (double) qty);
    ev.put("device", DEVICES[st[b + F_DEVICE]]);
    if (end) startSession(slot);
    return ev;
  }

  /** Catalogue helper for tests: every event up to n. */
  public List<Map<String, Object>> take(int n) {
    List<Map<String, Object>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(nextEvent());
    return out;
  }
}

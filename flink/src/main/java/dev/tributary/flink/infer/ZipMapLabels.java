package dev.tributary.flink.infer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The class labels of a model's ZipMap outputs, in the order the ZipMap node lists them, read from
 * the model's protobuf as runtime/nodes/infer/onnx-proto.ts reads them: ONNX Runtime for Java hands
 * a ZipMap out as a map per row, which has no order, while the embedded node keys each row by the
 * labels in the model's order (and names them so in messages). Wire format per
 * https://protobuf.dev/programming-guides/encoding/, field numbers from onnx/onnx.proto (ModelProto
 * graph 7; GraphProto node 1, output 12; NodeProto output 2, op_type 4, attribute 5;
 * AttributeProto name 1, ints 8, strings 9; ValueInfoProto name 1).
 */
final class ZipMapLabels {
  private ZipMapLabels() {}

  /**
   * A class label: `key` as the Java API's map holds it (Long or String), `shown` as the embedded
   * node has it (a Double — the varint summed in doubles as onnx-proto.ts sums it — or a String).
   */
  record Label(Object key, Object shown) {}

  private record Field(int no, int wire, long value, double asDouble, byte[] buf, int from, int to) {
    String text() {
      return buf == null ? "" : new String(buf, from, to - from, StandardCharsets.UTF_8);
    }
  }

  /** Output name → its ZipMap's labels; empty when the model has none or cannot be read here. */
  static Map<String, List<Label>> of(byte[] model) {
    Map<String, List<Label>> out = new HashMap<>();
    try {
      for (Field g : fields(model, 0, model.length)) {
        if (g.no != 7 || g.wire != 2) continue;
        List<Field> graph = fields(g.buf, g.from, g.to);
        Set<String> outputs = new HashSet<>();
        for (Field f : graph) if (f.no == 12 && f.wire == 2) outputs.add(first(fields(f.buf, f.from, f.to), 1));
        for (Field f : graph) {
          if (f.no != 1 || f.wire != 2) continue;
          List<Field> node = fields(f.buf, f.from, f.to);
          String output = first(node, 2);
          if (first(node, 4).equals("ZipMap") && outputs.contains(output)) out.put(output, labels(node));
        }
      }
    } catch (RuntimeException unreadable) {
      // ONNX Runtime has loaded the model already; a protobuf this reader cannot walk leaves the maps' own order.
      return Map.of();
    }
    return out;
  }

  private static String first(List<Field> fs, int no) {
    for (Field f : fs) if (f.no == no && f.wire == 2) return f.text();
    return "";
  }

  private static List<Label> labels(List<Field> node) {
    List<Label> labels = new ArrayList<>();
    for (Field a : node) {
      if (a.no != 5 || a.wire != 2) continue;
      List<Field> af = fields(a.buf, a.from, a.to);
      String name = first(af, 1);
      if (name.equals("classlabels_int64s")) {
        for (Field f : af) {
          if (f.no != 8) continue;
          if (f.wire == 0) labels.add(new Label(f.value, f.asDouble));
          else if (f.wire == 2) {
            // packed
            for (int[] p = {f.from}; p[0] < f.to; ) {
              long[] v = new long[1];
              double[] d = new double[1];
              p[0] = varint(f.buf, p[0], f.to, v, d);
              labels.add(new Label(v[0], d[0]));
            }
          }
        }
      } else if (name.equals("classlabels_strings")) {
        for (Field f : af) if (f.no == 9 && f.wire == 2) labels.add(new Label(f.text(), f.text()));
      }
    }
    return labels;
  }

  /** Reads a varint at pos: its 64 bits into v[0], its value summed in doubles into d[0]; returns the next position. */
  private static int varint(byte[] buf, int pos, int end, long[] v, double[] d) {
    long bits = 0;
    double sum = 0;
    double mul = 1;
    for (int shift = 0; ; shift += 7) {
      if (pos >= end) throw new IllegalArgumentException("truncated varint");
      int b = buf[pos++] & 0xff;
      if (shift < 64) bits |= (long) (b & 0x7f) << shift;
      sum += (b & 0x7f) * mul;
      if (b < 0x80) {
        v[0] = bits;
        d[0] = sum;
        return pos;
      }
      mul *= 128;
    }
  }

  private static List<Field> fields(byte[] buf, int from, int to) {
    List<Field> out = new ArrayList<>();
    long[] v = new long[1];
    double[] d = new double[1];
    int pos = from;
    while (pos < to) {
      pos = varint(buf, pos, to, v, d);
      int no = (int) (v[0] >>> 3);
      int wire = (int) (v[0] & 7);
      switch (wire) {
        case 0 -> {
          pos = varint(buf, pos, to, v, d);
          out.add(new Field(no, wire, v[0], d[0], null, 0, 0));
        }
        case 1 -> pos += 8;
        case 5 -> pos += 4;
        case 2 -> {
          pos = varint(buf, pos, to, v, d);
          if (v[0] < 0 || v[0] > to - pos) throw new IllegalArgumentException("truncated field");
          out.add(new Field(no, wire, 0, 0, buf, pos, pos + (int) v[0]));
          pos += (int) v[0];
        }
        default -> throw new IllegalArgumentException("unsupported protobuf wire type " + wire);
      }
      if (pos > to) throw new IllegalArgumentException("truncated field");
    }
    return out;
  }
}

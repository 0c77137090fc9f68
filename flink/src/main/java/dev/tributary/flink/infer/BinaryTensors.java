package dev.tributary.flink.infer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tensors of the kserve-v2 binary tensor data extension (Triton's "Binary Tensor Data
 * Extension"), read as runtime/nodes/infer/binary-tensors.ts reads them: little-endian, row-major,
 * BOOL one byte, BYTES each element a 4-byte length then its UTF-8 text, FP16 / BF16 two bytes.
 * Numbers become Doubles (64-bit integers rounded to the nearest double, as JavaScript's Number()
 * of a BigInt), BOOL Booleans, BYTES Strings.
 */
final class BinaryTensors {
  private BinaryTensors() {}

  static final Map<String, Integer> ELEMENT_BYTES = Map.ofEntries(Map.entry("FP16", 2), Map.entry("BF16", 2), Map.entry("FP32", 4), Map.entry("FP64", 8),
      Map.entry("INT8", 1), Map.entry("INT16", 2), Map.entry("INT32", 4), Map.entry("INT64", 8), Map.entry("UINT8", 1), Map.entry("UINT16", 2),
      Map.entry("UINT32", 4), Map.entry("UINT64", 8), Map.entry("BOOL", 1));

  static List<Object> read(String datatype, byte[] src, int from, int size, String what) {
    ByteBuffer b = ByteBuffer.wrap(src, from, size).slice().order(ByteOrder.LITTLE_ENDIAN);
    List<Object> out = new ArrayList<>();
    if (datatype.equals("BYTES")) {
      int at = 0;
      while (at < size) {
        if (at + 4 > size) throw new IllegalArgumentException(what + ": a BYTES element's length prefix is cut off");
        long len = Integer.toUnsignedLong(b.getInt(at));
        at += 4;
        if (at + len > size) throw new IllegalArgumentException(what + ": a BYTES element says it has " + len + " bytes; " + (size - at) + " are left");
        out.add(new String(src, from + at, (int) len, StandardCharsets.UTF_8));
        at += (int) len;
      }
      return out;
    }
    Integer per = ELEMENT_BYTES.get(datatype);
    if (per == null) throw new IllegalArgumentException(what + ": binary datatype " + datatype + " is not one the node reads; turn 'binary' off");
    if (size % per != 0) throw new IllegalArgumentException(what + ": " + size + " bytes is not a whole number of " + datatype + " elements");
    for (int at = 0; at < size; at += per) {
      out.add(switch (datatype) {
        case "FP16" -> half(Short.toUnsignedInt(b.getShort(at)));
        case "BF16" -> (double) Float.intBitsToFloat(Short.toUnsignedInt(b.getShort(at)) << 16);
        case "FP32" -> (double) b.getFloat(at);
        case "FP64" -> b.getDouble(at);
        case "INT8" -> (double) b.get(at);
        case "INT16" -> (double) b.getShort(at);
        case "INT32" -> (double) b.getInt(at);
        case "INT64" -> (double) b.getLong(at);
        case "UINT8" -> (double) Byte.toUnsignedInt(b.get(at));
        case "UINT16" -> (double) Short.toUnsignedInt(b.getShort(at));
        case "UINT32" -> (double) Integer.toUnsignedLong(b.getInt(at));
        case "UINT64" -> new java.math.BigInteger(Long.toUnsignedString(b.getLong(at))).doubleValue();
        default -> b.get(at) != 0; // BOOL
      });
    }
    return out;
  }

  /** IEEE 754 half precision → double. */
  private static double half(int h) {
    double s = (h & 0x8000) != 0 ? -1 : 1;
    int e = (h >> 10) & 0x1f;
    int f = h & 0x3ff;
    if (e == 0) return s * f * Math.pow(2, -24);
    if (e == 31) return f == 0 ? s * Double.POSITIVE_INFINITY : Double.NaN;
    return s * (1 + f / 1024.0) * Math.pow(2, e - 15);
  }
}

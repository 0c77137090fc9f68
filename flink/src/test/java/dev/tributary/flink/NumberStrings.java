package dev.tributary.flink;

import dev.tributary.flink.expr.JsNumber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** One double a line as its 64 bits in hex in, JsNumber.toString of each out (one a line). */
public final class NumberStrings {
  private NumberStrings() {}

  public static void main(String[] args) throws Exception {
    List<String> in = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    for (String hex : in) {
      if (hex.isEmpty()) continue;
      out.append(JsNumber.toString(Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16)))).append('\n');
    }
    Files.writeString(Path.of(args[1]), out, StandardCharsets.UTF_8);
  }
}

package dev.tributary.flink;

import dev.tributary.flink.expr.Json;
import dev.tributary.flink.source.EcommerceGenerator;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/** Prints the first n events of the Java port of the clickstream model, one JSON line each: `GeneratorDump '<options json>' n`. */
public final class GeneratorDump {
  private GeneratorDump() {}

  public static void main(String[] args) throws Exception {
    JsonNode o = Json.tree(args[0]);
    EcommerceGenerator g = new EcommerceGenerator(new EcommerceGenerator.Options(o.get("seed").asDouble(), o.get("users").asInt(),
        o.get("products").asInt(), o.get("categories").asInt(), o.get("abandonment").asDouble(), o.get("startTime").asDouble(),
        o.get("eventTimeRate").asDouble(), o.get("disorder").asDouble(), o.path("concurrentSessions").asInt(0)));
    long n = Long.parseLong(args[1]);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
    for (long i = 0; i < n; i++) {
      out.write(Json.stringify(g.nextEvent()));
      out.write('\n');
    }
    out.flush();
  }
}

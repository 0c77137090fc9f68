package dev.tributary.flink.window;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.window.sketch.Hash2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs the window's aggregate function over hand-made states, as Flink's session windows do: one
 * accumulator per part (its records stamped from the part's start), the parts merged as
 * AbstractHeapMergingState.mergeNamespaces merges (the sources among themselves in the given
 * order, then into the target), one more record added, the results printed one JSON line a case.
 * `hash` cases print each value's two sketch hashes instead.
 */
public final class SketchCases {
  private SketchCases() {}

  public static void main(String[] args) throws Exception {
    StringBuilder out = new StringBuilder();
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      if (line.isEmpty()) continue;
      JsonNode c = Json.tree(line);
      if (c.has("hash")) {
        List<Object> hs = new ArrayList<>();
        for (JsonNode v : c.get("hash")) {
          long h = Hash2.hash(Json.value(v));
          hs.add(List.of((double) Hash2.h1(h), (double) Hash2.h2(h)));
        }
        out.append(Json.stringify(hs)).append('\n');
        continue;
      }
      List<AggregateSpec> specs = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = c.get("aggregates").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        specs.add(new AggregateSpec(e.getKey(), e.getValue().get("fn").asText(), e.getValue().get("field").asText(), e.getValue().path("k").asInt(10), e.getValue().path("precision").asInt(12)));
      }
      AggregateSpec[] sp = specs.toArray(new AggregateSpec[0]);
      WindowAggregate agg = new WindowAggregate(sp);
      List<Acc> accs = new ArrayList<>();
      for (JsonNode part : c.get("parts")) {
        Acc a = agg.createAccumulator();
        long ts = part.get("start").asLong();
        for (JsonNode r : part.get("records")) agg.add(new Stamped(new Rec(Json.value(r), null), ts++), a);
        accs.add(a);
      }
      int target = c.get("target").asInt();
      Acc merged = null;
      for (int i = 0; i < accs.size(); i++) {
        if (i == target) continue;
        merged = merged == null ? accs.get(i) : agg.merge(merged, accs.get(i));
      }
      Acc result = accs.get(target);
      if (merged != null) result = agg.merge(result, merged);
      if (c.has("extra")) agg.add(new Stamped(new Rec(Json.value(c.get("extra")), null), c.get("extraTs").asLong()), result);
      out.append(Json.stringify(WindowAggregate.results(sp, result, null, null, null))).append('\n');
    }
    Files.writeString(Path.of(args[1]), out, StandardCharsets.UTF_8);
  }
}

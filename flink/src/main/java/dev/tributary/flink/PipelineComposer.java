package dev.tributary.flink;

import dev.tributary.flink.sink.JsonLinesSink;
import dev.tributary.flink.source.FileTranslator;
import dev.tributary.flink.source.GeneratorTranslator;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import dev.tributary.flink.translate.Stateless;
import dev.tributary.flink.translate.UnsupportedNode;
import dev.tributary.flink.window.WindowTranslator;
import dev.tributary.flink.cep.CepTranslator;
import dev.tributary.flink.code.JsStage;
import dev.tributary.flink.code.ProcessTranslator;
import dev.tributary.flink.http.HttpSinkTranslator;
import dev.tributary.flink.kafka.KafkaSinkTranslator;
import dev.tributary.flink.kafka.KafkaSourceTranslator;
import dev.tributary.flink.redis.RedisSinkTranslator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Composes a DataStream job from a compiled pipeline (Flink CDC's FlinkPipelineComposer shape):
 * nodes in topological order, each built by its type's translator from the streams on its
 * incoming edges. Every node that cannot be translated is named, with the reason, before the
 * job is submitted.
 */
public final class PipelineComposer {
  public static final Map<String, NodeTranslator> TRANSLATORS = Map.ofEntries(
      Map.entry("source.generator", new GeneratorTranslator()),
      Map.entry("source.file", new FileTranslator()),
      Map.entry("source.kafka", new KafkaSourceTranslator()),
      Map.entry("filter", JsStage.FILTER),
      Map.entry("map", JsStage.MAP),
      Map.entry("flatMap", JsStage.FLAT_MAP),
      Map.entry("keyBy", Stateless.KEY_BY),
      Map.entry("union", Stateless.UNION),
      Map.entry("window", new WindowTranslator()),
      Map.entry("cep", new CepTranslator()),
      Map.entry("join.interval", new dev.tributary.flink.join.IntervalJoinTranslator()),
      Map.entry("join.window", new dev.tributary.flink.join.WindowJoinTranslator()),
      Map.entry("process", new ProcessTranslator()),
      Map.entry("connect", new dev.tributary.flink.code.ConnectTranslator()),
      Map.entry("broadcast", new dev.tributary.flink.code.BroadcastTranslator()),
      Map.entry("sink.file", JsonLinesSink.TRANSLATOR),
      Map.entry("sink.console", dev.tributary.flink.sink.ConsoleSink.TRANSLATOR),
      Map.entry("sink.kafka", new KafkaSinkTranslator()),
      Map.entry("sink.redis", new RedisSinkTranslator()),
      Map.entry("lookup.redis", new dev.tributary.flink.redis.LookupTranslator()),
      Map.entry("sink.email", new dev.tributary.flink.email.EmailSinkTranslator()),
      Map.entry("sink.http", new HttpSinkTranslator()),
      Map.entry("infer", new dev.tributary.flink.infer.InferTranslator()));

  private PipelineComposer() {}

  /** Build the job into env; throws IllegalArgumentException listing every node that cannot run on Flink. */
  public static void compose(JsonNode pipeline, StreamExecutionEnvironment env, String baseDir) throws Exception {
    Map<String, JsonNode> nodes = new LinkedHashMap<>();
    for (JsonNode n : pipeline.get("nodes")) nodes.put(n.get("id").asText(), n);
    Map<String, List<JsonNode>> incoming = new HashMap<>();
    Map<String, Set<String>> connected = new HashMap<>();
    Map<String, Integer> indegree = new LinkedHashMap<>();
    nodes.keySet().forEach(id -> indegree.put(id, 0));
    for (JsonNode e : pipeline.path("edges")) {
      String to = e.get("to").asText();
      incoming.computeIfAbsent(to, k -> new ArrayList<>()).add(e);
      connected.computeIfAbsent(e.get("from").asText(), k -> new HashSet<>()).add(e.path("fromPort").asText("out"));
      indegree.merge(to, 1, Integer::sum);
    }
    List<String> problems = new ArrayList<>();
    for (JsonNode n : nodes.values()) {
      if (!TRANSLATORS.containsKey(n.get("type").asText())) {
        problems.add("node '" + n.get("id").asText() + "': " + n.get("type").asText() + " has no Flink translation yet");
      }
    }
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("\n", problems));

    // Kahn's algorithm, ties in declaration order.
    ArrayDeque<String> ready = new ArrayDeque<>();
    indegree.forEach((id, d) -> {
      if (d == 0) ready.add(id);
    });
    Map<String, DataStream<Rec>> streams = new HashMap<>();
    while (!ready.isEmpty()) {
      String id = ready.poll();
      JsonNode n = nodes.get(id);
      DataStream<Rec> input = null;
      // Two-input nodes (joins, connect, broadcast) take each edge on its `toPort`.
      Map<String, DataStream<Rec>> ports = new HashMap<>();
      for (JsonNode e : incoming.getOrDefault(id, List.of())) {
        DataStream<Rec> s = streams.get(e.get("from").asText() + ":" + e.path("fromPort").asText("out"));
        if (s == null) throw new IllegalArgumentException("node '" + id + "': its input from " + e.get("from").asText() + "." + e.path("fromPort").asText("out") + " was not built");
        input = input == null ? s : input.union(s);
        ports.merge(e.path("toPort").asText("in"), s, DataStream::union);
      }
      Map<String, DataStream<Rec>> outputs = new HashMap<>();
      String label = n.hasNonNull("label") ? n.get("label").asText() : id;
      NodeContext ctx = new NodeContext(id, label, n.get("type").asText(), n.path("params"), env, baseDir, pipeline.path("name").asText(""), input, ports,
          connected.getOrDefault(id, Set.of()), outputs);
      try {
        TRANSLATORS.get(n.get("type").asText()).translate(ctx);
      } catch (UnsupportedNode u) {
        problems.add(u.getMessage());
      }
      outputs.forEach((port, s) -> streams.put(id + ":" + port, s));
      for (JsonNode e : pipeline.path("edges")) {
        if (e.get("from").asText().equals(id)) {
          String to = e.get("to").asText();
          if (indegree.merge(to, -1, Integer::sum) == 0) ready.add(to);
        }
      }
    }
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("\n", problems));
  }
}

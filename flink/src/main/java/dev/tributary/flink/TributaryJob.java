package dev.tributary.flink;

import dev.tributary.flink.expr.Json;
import org.apache.flink.api.common.JobExecutionResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Tributary job's entry point: `--pipeline compiled.json | --pipeline-base64 B [--parallelism N]`. The compiled
 * pipeline is what `tributary flink export` writes: the pipeline JSON with defaults applied,
 * durations in milliseconds, paths absolute and every expression as its checked AST.
 * Run with `java -cp …` it executes in a MiniCluster; submitted to a cluster (REST `/jars/…/run`)
 * it runs there.
 */
public final class TributaryJob {
  private TributaryJob() {}

  public static void main(String[] args) throws Exception {
    String file = null;
    String inline = null;
    Integer parallelism = null;
    boolean check = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--pipeline" -> file = args[++i];
        case "--pipeline-base64" -> inline = new String(java.util.Base64.getDecoder().decode(args[++i]), java.nio.charset.StandardCharsets.UTF_8);
        case "--parallelism" -> parallelism = Integer.parseInt(args[++i]);
        case "--check" -> check = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (usage: --pipeline compiled.json [--parallelism N] [--check])");
      }
    }
    if (file == null && inline == null) throw new IllegalArgumentException("--pipeline compiled.json (or --pipeline-base64) is required");
    JsonNode pipeline = Json.pipelineTree(inline != null ? inline : Files.readString(Path.of(file)));
    if (!pipeline.path("format").asText().equals("tributary.flink/v1")) {
      throw new IllegalArgumentException(file + " is not a compiled pipeline (format tributary.flink/v1); `tributary flink export` writes one");
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism != null ? parallelism : pipeline.path("parallelism").asInt(1));
    String base = pipeline.path("baseDir").asText(file != null ? Path.of(file).toAbsolutePath().getParent().toString() : ".");
    PipelineComposer.compose(pipeline, env, base);
    if (check) {
      System.out.println("ok");
      return;
    }
    JobExecutionResult result = env.execute(pipeline.path("name").asText("tributary"));
    // Net time from the job's start to its end, without the JVM's and the cluster's start: what
    // `npm run bench -- flink` reads (on stderr, so stdout stays the console sink's).
    if (result != null && !(result instanceof org.apache.flink.core.execution.DetachedJobExecutionResult)) {
      System.err.println("tributary: job ran " + result.getNetRuntime() + " ms");
    }
  }
}

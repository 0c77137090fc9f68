package dev.tributary.flink.translate;

import dev.tributary.flink.Rec;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/** What a translator sees of its node: params, inputs, which output ports have edges, and where to put its outputs. */
public final class NodeContext {
  public static final TypeInformation<Rec> REC = TypeInformation.of(Rec.class);
  public static final TypeInformation<dev.tributary.flink.window.Acc> TYPE_ACC = TypeInformation.of(dev.tributary.flink.window.Acc.class);

  public final String id;
  public final String label;
  public final String type;
  public final JsonNode params;
  public final StreamExecutionEnvironment env;
  /** The pipeline's folder: relative paths resolve against it. */
  public final String baseDir;
  /** The pipeline's name (the compiled pipeline's `name`): what makes a node's identity outside the job unique to its pipeline. */
  public final String pipelineName;
  private final DataStream<Rec> input;
  private final Map<String, DataStream<Rec>> ports;
  private final Set<String> connected;
  private final Map<String, DataStream<Rec>> outputs;

  public NodeContext(String id, String label, String type, JsonNode params, StreamExecutionEnvironment env, String baseDir, String pipelineName,
      DataStream<Rec> input, Map<String, DataStream<Rec>> ports, Set<String> connected, Map<String, DataStream<Rec>> outputs) {
    this.id = id;
    this.label = label;
    this.type = type;
    this.params = params;
    this.env = env;
    this.baseDir = baseDir;
    this.pipelineName = pipelineName;
    this.input = input;
    this.ports = ports;
    this.connected = connected;
    this.outputs = outputs;
  }

  public DataStream<Rec> input() {
    if (input == null) throw new IllegalStateException("node '" + id + "' has no input");
    return input;
  }

  /** The union of the edges into one input port (`left`, `right`, `main`, `broadcast`). */
  public DataStream<Rec> input(String port) {
    DataStream<Rec> s = ports.get(port);
    if (s == null) throw new IllegalStateException("node '" + id + "' has no input on " + port);
    return s;
  }

  /**
   * The uid of one of this node's helper operators (a check, a decode step, a late-data map): the
   * node id, '/', the helper's role. Node ids are `[A-Za-z][A-Za-z0-9_-]*` (runtime/format/envelope.ts),
   * so no node id holds a '/': a helper's uid can equal neither another node's id nor another
   * node's helper's uid. (With '-' a node `win` and a node `win-check` both gave "win-check", and
   * Flink refuses a job graph with two operators of one uid.) The node's main operator keeps
   * `uid(node id)`, which is what savepoints map state by.
   */
  public String helperUid(String role) {
    return id + "/" + role;
  }

  public boolean connected(String port) {
    return connected.contains(port);
  }

  public void output(String port, DataStream<Rec> stream) {
    outputs.put(port, stream);
  }

  public static OutputTag<Rec> tag(String port) {
    return new OutputTag<>(port, REC);
  }

  public String path(String p) {
    java.nio.file.Path path = java.nio.file.Path.of(p);
    return path.isAbsolute() ? p : java.nio.file.Path.of(baseDir).resolve(p).toString();
  }
}

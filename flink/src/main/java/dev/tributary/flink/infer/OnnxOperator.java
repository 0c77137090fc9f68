package dev.tributary.flink.infer;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tributary.flink.Rec;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import dev.tributary.flink.translate.UnsupportedNode;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * An ONNX model in the operator (ONNX Runtime for Java, CPU; one session per subtask), as
 * runtime/nodes/infer/onnx-model.ts runs it: records gathered into batches of up to `batchSize`,
 * each one session.run over one row-major tensor per input, the outputs read through the node's
 * `outputs` refs. A batch runs when it is full, `linger` after its first record, and before a
 * watermark, a checkpoint barrier (prepareSnapshotPreBarrier) or the end of the input passes, so
 * nothing is held across a watermark or in a checkpoint and every record keeps its timestamp.
 * The model travels inside the compiled pipeline (`model.bytes`, put there where the pipeline is
 * compiled; else the file at `model.path` is read where the job is built) and inside the job, its
 * bytes hashed for `versionField` as the embedded node hashes the file, so neither the JobManager
 * nor the TaskManagers need a copy of the file.
 */
final class OnnxOperator extends AbstractStreamOperator<Tuple2<Boolean, Rec>> implements OneInputStreamOperator<Rec, Tuple2<Boolean, Rec>> {
  private static final long serialVersionUID = 1L;

  private final Scored shape;
  private final String path;
  private final byte[] model;
  private final int threads;
  private final int batchSize;
  private final long linger;
  /** `features` / `inputs` of the params as JSON text (parsed again in open()). */
  private final String features;

  private transient OrtEnvironment env;
  private transient OrtSession session;
  private transient String version;
  private transient List<Feed> feeds;
  private transient List<StreamRecord<Rec>> batch;
  private transient boolean timerSet;
  /** Each ZipMap output's class labels in the model's order. */
  private transient Map<String, List<ZipMapLabels.Label>> zipMaps;

  private record Feed(String name, OnnxJavaType type, Features features) {}

  private OnnxOperator(Scored shape, String path, byte[] model, int threads, int batchSize, long linger, String features) {
    this.shape = shape;
    this.path = path;
    this.model = model;
    this.threads = threads;
    this.batchSize = batchSize;
    this.linger = linger;
    this.features = features;
  }

  static void translate(NodeContext ctx, Scored shape) {
    JsonNode p = ctx.params;
    String path = ctx.path(p.get("model").get("path").asText());
    byte[] bytes;
    JsonNode carried = p.get("model").get("bytes");
    if (carried != null && carried.isTextual()) bytes = java.util.Base64.getDecoder().decode(carried.asText());
    else {
      // A compiled pipeline without the model inside (written by hand, or the file was unreadable where it was compiled).
      try {
        bytes = Files.readAllBytes(Path.of(path));
      } catch (IOException e) {
        throw new UnsupportedNode(ctx.id, "model.path: cannot read " + path + ": " + e.getMessage());
      }
    }
    org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode f = dev.tributary.flink.expr.Json.MAPPER.createObjectNode();
    if (p.hasNonNull("features")) f.set("features", p.get("features"));
    if (p.hasNonNull("inputs")) f.set("inputs", p.get("inputs"));
    OnnxOperator op = new OnnxOperator(shape, path, bytes, p.get("model").path("threads").asInt(1), p.path("batchSize").asInt(1024), p.path("linger").asLong(2), f.toString());
    InferTranslator.split(ctx, ctx.input().transform(ctx.label, InferTranslator.RESULT, op).uid(ctx.id));
  }

  private static final Map<OnnxJavaType, String> TYPE_NAMES = Map.of(OnnxJavaType.FLOAT, "float32", OnnxJavaType.DOUBLE, "float64", OnnxJavaType.INT32, "int32",
      OnnxJavaType.INT64, "int64", OnnxJavaType.INT8, "int8", OnnxJavaType.INT16, "int16", OnnxJavaType.UINT8, "uint8", OnnxJavaType.BOOL, "bool",
      OnnxJavaType.STRING, "string", OnnxJavaType.FLOAT16, "float16");

  private static String shapeText(TensorInfo t) {
    long[] s = t.getShape();
    String[] names = t.getDimensionNames();
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < s.length; i++) parts.add(s[i] < 0 && names != null && i < names.length && !names[i].isEmpty() ? names[i] : Long.toString(s[i]));
    return String.join(", ", parts);
  }

  @Override
  public void open() throws Exception {
    super.open();
    batch = new ArrayList<>();
    try {
      env = OrtEnvironment.getEnvironment();
      // The options are native memory of their own, copied into the session: closed once it exists.
      try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
        opts.setIntraOpNumThreads(threads);
        opts.setInterOpNumThreads(1);
        opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try {
          session = env.createSession(model, opts);
        } catch (OrtException e) {
          throw new IllegalArgumentException(path + " could not be loaded as an ONNX model: " + e.getMessage());
        }
      }
      zipMaps = ZipMapLabels.of(model);
      version = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model)).substring(0, 12);
      Map<String, NodeInfo> info = session.getInputInfo();
      JsonNode f = dev.tributary.flink.expr.Json.tree(features);
      String first = info.isEmpty() ? "input" : info.keySet().iterator().next();
      Map<String, Features> wanted = Features.of(f, first);
      if (wanted.isEmpty()) wanted.put(first, new Features(dev.tributary.flink.expr.Json.MAPPER.createArrayNode()));
      feeds = new ArrayList<>();
      for (Map.Entry<String, Features> w : wanted.entrySet()) {
        String name = w.getKey();
        NodeInfo in = info.get(name);
        if (in == null) throw new IllegalArgumentException("the model has no input '" + name + "' (its inputs: " + String.join(", ", info.keySet()) + ")");
        if (!(in.getInfo() instanceof TensorInfo t)) throw new IllegalArgumentException("input '" + name + "' is non-tensor; the node feeds float, double, int32 or int64 tensors");
        if (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE && t.type != OnnxJavaType.INT32 && t.type != OnnxJavaType.INT64) {
          throw new IllegalArgumentException("input '" + name + "' is " + TYPE_NAMES.getOrDefault(t.type, t.type.name().toLowerCase()) + "; the node feeds float, double, int32 or int64 tensors");
        }
        if (t.getShape().length != 2) throw new IllegalArgumentException("input '" + name + "' has shape [" + shapeText(t) + "]; the node feeds [batch, features] tensors");
        long width = t.getShape()[1];
        if (width >= 0 && width != w.getValue().width()) throw new IllegalArgumentException("input '" + name + "' takes " + width + " features per row, the node gives " + w.getValue().width());
        feeds.add(new Feed(name, t.type, w.getValue()));
      }
      List<String> missing = new ArrayList<>();
      for (String name : info.keySet()) if (!wanted.containsKey(name)) missing.add("'" + name + "'");
      if (!missing.isEmpty()) throw new IllegalArgumentException("no features for the model's input" + (missing.size() > 1 ? "s" : "") + " " + String.join(", ", missing) + "; give them in 'inputs'");
    } catch (IllegalArgumentException | OrtException | NoSuchAlgorithmException e) {
      throw new NodeFailure(shape.nodeId, e.getMessage());
    }
  }

  @Override
  public void processElement(StreamRecord<Rec> element) throws Exception {
    batch.add(element.copy(element.getValue()));
    if (batch.size() >= batchSize) {
      run();
      return;
    }
    if (!timerSet) {
      timerSet = true;
      long now = getProcessingTimeService().getCurrentProcessingTime();
      getProcessingTimeService().registerTimer(now + linger, t -> {
        timerSet = false;
        run();
      });
    }
  }

  /** Nothing waits across a watermark: the batch runs, then the watermark passes (its records stay before it). */
  @Override
  public void processWatermark(Watermark mark) throws Exception {
    run();
    super.processWatermark(mark);
  }

  @Override
  public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
    run();
    super.prepareSnapshotPreBarrier(checkpointId);
  }

  @Override
  public void finish() throws Exception {
    run();
    super.finish();
  }

  @Override
  public void close() throws Exception {
    try {
      if (session != null) session.close();
    } finally {
      session = null;
      super.close();
    }
  }

  private void emit(StreamRecord<Rec> at, Tuple2<Boolean, Rec> v) {
    output.collect(at.replace(v));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void run() throws OrtException {
    if (batch.isEmpty()) return;
    List<StreamRecord<Rec>> recs = batch;
    batch = new ArrayList<>();
    int rows = recs.size();
    List<Object> values = new ArrayList<>(rows);
    for (StreamRecord<Rec> r : recs) values.add(r.getValue().value);
    Map<Integer, String> bad = new HashMap<>();
    Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    Map<String, Outputs.Column> cols = new LinkedHashMap<>();
    String failed = null;
    OrtSession.Result res = null;
    try {
      for (Feed f : feeds) {
        int w = f.features.width();
        double[] buf = new double[rows * w];
        f.features.fill(values, buf, new HashMap<>()).forEach(bad::putIfAbsent);
        long[] dims = {rows, w};
        inputs.put(f.name, switch (f.type) {
          case FLOAT -> {
            float[] x = new float[buf.length];
            for (int i = 0; i < x.length; i++) x[i] = (float) buf[i];
            yield OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
          }
          case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(buf), dims);
          case INT32 -> {
            int[] x = new int[buf.length];
            for (int i = 0; i < x.length; i++) x[i] = (int) (long) buf[i];
            yield OnnxTensor.createTensor(env, IntBuffer.wrap(x), dims);
          }
          default -> {
            long[] x = new long[buf.length];
            for (int i = 0; i < x.length; i++) x[i] = (long) buf[i];
            yield OnnxTensor.createTensor(env, LongBuffer.wrap(x), dims);
          }
        });
      }
      res = session.run(inputs);
      for (Map.Entry<String, OnnxValue> e : res) cols.put(e.getKey(), column(e.getValue(), zipMaps.get(e.getKey())));
    } catch (OrtException | RuntimeException e) {
      failed = e.getMessage();
    } finally {
      inputs.values().forEach(OnnxTensor::close);
      if (res != null) res.close();
    }
    if (failed != null) {
      for (StreamRecord<Rec> r : recs) emit(r, shape.failure(r.getValue(), failed));
      return;
    }
    List<Outputs.Ref> refs = shape.refs != null ? shape.refs : Outputs.all(cols);
    Object read = Outputs.readers(refs, cols);
    for (int i = 0; i < rows; i++) {
      StreamRecord<Rec> r = recs.get(i);
      String why = bad.get(i);
      if (why == null && read instanceof String reason) why = reason;
      if (why != null) emit(r, shape.failure(r.getValue(), why));
      else emit(r, Scored.scored(r.getValue(), shape.outputs(refs, (List<IntFunction<Object>>) read, i, version)));
    }
  }

  /**
   * An output as the embedded node reads it: a tensor with the batch on its first axis (float32
   * widened to double, 64-bit integers to the nearest double, booleans as 1 / 0 as onnxruntime's
   * Node binding hands them out, strings as they are), or a ZipMap (a sequence of maps, one per
   * row) as the probabilities by class label, the labels in the order the model's ZipMap node lists
   * them ({@link ZipMapLabels}), as the embedded node reads them from the same file.
   */
  private static Outputs.Column column(OnnxValue v, List<ZipMapLabels.Label> written) throws OrtException {
    if (v instanceof OnnxSequence seq) {
      List<? extends OnnxValue> maps = seq.getValue();
      List<Map<?, ?>> rowsOf = new ArrayList<>();
      for (OnnxValue m : maps) rowsOf.add(((OnnxMap) m).getValue());
      List<ZipMapLabels.Label> labels = written != null && !written.isEmpty() ? written : seen(rowsOf);
      int k = labels.size();
      double[] data = new double[rowsOf.size() * k];
      for (int i = 0; i < rowsOf.size(); i++) {
        for (int j = 0; j < k; j++) {
          Object p = rowsOf.get(i).get(labels.get(j).key());
          if (!(p instanceof Number n)) throw new IllegalStateException("the ZipMap output has no probability for class " + labels.get(j).shown());
          data[i * k + j] = n.floatValue();
        }
      }
      List<Object> shown = new ArrayList<>();
      for (ZipMapLabels.Label l : labels) shown.add(l.shown());
      return Outputs.zipMap(data, shown);
    }
    OnnxTensor t = (OnnxTensor) v;
    long[] dims = t.getInfo().getShape();
    int width = 1;
    for (int i = 1; i < dims.length; i++) width *= (int) dims[i];
    List<Object> data = new ArrayList<>();
    flatten(t.getValue(), data);
    return Outputs.tensor(data, width);
  }

  /**
   * A ZipMap whose labels the model's protobuf did not give (never seen with a readable model):
   * its first row's classes, ascending (numbers by value, strings by code unit), as scikit-learn
   * orders its classes_.
   */
  private static List<ZipMapLabels.Label> seen(List<Map<?, ?>> rowsOf) {
    List<Object> keys = rowsOf.isEmpty() ? new ArrayList<>() : new ArrayList<>(rowsOf.get(0).keySet());
    keys.sort((a, b) -> a instanceof Number x && b instanceof Number y ? Long.compare(x.longValue(), y.longValue()) : String.valueOf(a).compareTo(String.valueOf(b)));
    List<ZipMapLabels.Label> out = new ArrayList<>();
    for (Object key : keys) out.add(new ZipMapLabels.Label(key, key instanceof Number n ? (Object) n.doubleValue() : key));
    return out;
  }

  private static void flatten(Object v, List<Object> out) {
    if (v != null && v.getClass().isArray()) {
      int n = Array.getLength(v);
      for (int i = 0; i < n; i++) flatten(Array.get(v, i), out);
      return;
    }
    if (v instanceof Float f) out.add((double) f);
    else if (v instanceof Boolean b) out.add(b ? 1.0 : 0.0);
    else if (v instanceof Number n) out.add(n.doubleValue());
    else out.add(v);
  }
}

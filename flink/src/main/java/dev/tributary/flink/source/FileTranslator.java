package dev.tributary.flink.source;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Helpers;
import dev.tributary.flink.expr.Js;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeFunction;
import dev.tributary.flink.translate.NodeTranslator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * source.file as Flink's FileSource of text lines (one reader, so lines come in order), then a
 * parsing step (JSON Lines or CSV with a header, numbers cast as the runtime's CSV reader casts them) that sends
 * malformed lines to `errors` with their line number, then event time from the record's field
 * with the embedded runtime's per-record bounded-out-of-orderness watermarks.
 */
public final class FileTranslator implements NodeTranslator {
  @Override
  public void translate(NodeContext ctx) {
    JsonNode p = ctx.params;
    String path = ctx.path(p.get("path").asText());
    FileSource<String> source = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(path)).build();
    DataStream<String> lines = ctx.env.fromSource(source, WatermarkStrategy.noWatermarks(), ctx.label + " (read)")
        .setParallelism(1).uid(ctx.helperUid("read")).name(ctx.label + " (read)");
    JsonNode et = p.get("eventTime");
    String field = et == null || et.isNull() ? null : et.get("field").asText();
    SingleOutputStreamOperator<Rec> parsed = lines.process(new Parse(ctx.id, ctx.connected("errors"), p.path("format").asText("jsonl"),
        p.path("delimiter").asText(","), path, field), NodeContext.REC).setParallelism(1).uid(ctx.id).name(ctx.label);
    DataStream<Rec> out = parsed;
    if (field != null) {
      long bound = et.path("maxOutOfOrderness").asLong(0);
      WatermarkStrategy<Rec> wm = WatermarkStrategy.<Rec>forGenerator(c -> new PerRecordWatermarks<>(bound))
          .withTimestampAssigner((r, t) -> (long) Math.floor(toTimestamp(((Map<?, ?>) r.value).get(field))));
      if (et.hasNonNull("idleTimeout")) wm = wm.withIdleness(Duration.ofMillis(et.get("idleTimeout").asLong()));
      out = parsed.assignTimestampsAndWatermarks(wm).setParallelism(1).uid(ctx.helperUid("watermarks")).name(ctx.label + " (watermarks)");
    }
    ctx.output("out", out);
    if (ctx.connected("errors")) ctx.output("errors", parsed.getSideOutput(NodeFunction.ERRORS));
  }

  /** Epoch ms from a number or an ISO-8601 string; NaN otherwise (runtime/nodes/source-file/operator.ts toTimestamp). */
  public static double toTimestamp(Object v) {
    // Outside a JavaScript Date's range (±8.64e15 ms) is no timestamp, as in the embedded runtime;
    // past it the cast to Flink's long timestamp would saturate and the record's window overflow.
    if (v instanceof Number n) return Math.abs(n.doubleValue()) <= 8.64e15 ? n.doubleValue() : Double.NaN;
    if (v instanceof String s && !s.isEmpty()) {
      if (s.matches("^-?\\d+(\\.\\d+)?$")) return Double.NaN;
      Object t = Helpers.call("timestamp", new Object[] {s});
      return t == null ? Double.NaN : (Double) t;
    }
    return Double.NaN;
  }

  static final class Parse extends NodeFunction<String> {
    private static final long serialVersionUID = 1L;
    private final String format;
    private final char delimiter;
    private final String path;
    private final String field;
    private transient long line;
    private transient List<String> header;
    private transient StringBuilder pending;
    private transient long pendingFrom;

    Parse(String id, boolean errors, String format, String delimiter, String path, String field) {
      super(id, errors);
      this.format = format;
      this.delimiter = delimiter.charAt(0);
      this.path = path;
      this.field = field;
    }

    private void bad(Context ctx, long at, String message, Object record) {
      if (!errorsConnected()) throw new NodeFailure(nodeId, path + " line " + at + ": " + message);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("node", nodeId);
      e.put("error", "line " + at + ": " + message);
      e.put("line", (double) at);
      e.put("record", record);
      ctx.output(ERRORS, new Rec(e, null));
    }

    @Override
    public void processElement(String text, Context ctx, Collector<Rec> out) {
      line++;
      if (line == 1 && !text.isEmpty() && text.charAt(0) == '\ufeff' && format.equals("csv")) text = text.substring(1);
      if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
      if (format.equals("csv")) {
        csv(text, ctx, out);
        return;
      }
      if (Js.trimJs(text).isEmpty()) return;
      Object v;
      try {
        v = Json.parse(text);
      } catch (IllegalArgumentException e) {
        bad(ctx, line, "malformed JSON: " + e.getMessage(), text);
        return;
      }
      if (!(v instanceof Map)) {
        bad(ctx, line, "expected a JSON object", text);
        return;
      }
      emit(v, line, ctx, out);
    }

    private void emit(Object rec, long at, Context ctx, Collector<Rec> out) {
      if (field == null) {
        out.collect(new Rec(rec, null));
        return;
      }
      Object raw = ((Map<?, ?>) rec).get(field);
      double ts = toTimestamp(raw);
      if (!Double.isFinite(ts)) {
        String got = raw == null && !((Map<?, ?>) rec).containsKey(field) ? "nothing" : Json.stringify(raw);
        bad(ctx, at, "field '" + field + "' must be epoch milliseconds or an ISO-8601 timestamp, got " + got, rec);
        return;
      }
      out.collect(new Rec(rec, null));
    }

    // --- CSV (header, decimal casts and BOM, as runtime/connectors/files/csv.ts) ---

    private void csv(String text, Context ctx, Collector<Rec> out) {
      if (pending != null) {
        pending.append('\n').append(text);
      } else {
        pending = new StringBuilder(text);
        pendingFrom = line;
      }
      List<String> fields = new ArrayList<>();
      int state = splitCsv(pending, fields);
      if (state == 1) return; // inside a quoted field: the record goes on on the next line
      String all = pending.toString();
      pending = null;
      if (state == 2) {
        bad(ctx, line, "Invalid CSV quoting", all);
        return;
      }
      if (header == null) {
        header = new ArrayList<>();
        for (String h : fields) header.add(h.startsWith("\u0000") ? h.substring(1) : h);
        return;
      }
      if (fields.size() != header.size()) {
        bad(ctx, line, "Invalid Record Length: columns length is " + header.size() + ", got " + fields.size() + " on line " + line, all);
        return;
      }
      Map<String, Object> rec = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) rec.put(header.get(i), cast(fields.get(i)));
      emit(Json.jsKeyOrder(rec), line, ctx, out);
    }

    /** 0: a complete record; 1: a quoted field continues on the next line; 2: malformed quoting. */
    private int splitCsv(CharSequence s, List<String> out) {
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      boolean wasQuoted = false;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (quoted) {
          if (c == '"') {
            if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
              cur.append('"');
              i++;
            } else {
              quoted = false;
              if (i + 1 < s.length() && s.charAt(i + 1) != delimiter) return 2;
            }
          } else cur.append(c);
        } else if (c == delimiter) {
          out.add(wasQuoted ? "\u0000" + cur : cur.toString());
          cur.setLength(0);
          wasQuoted = false;
        } else if (c == '"' && cur.length() == 0 && !wasQuoted) {
          quoted = true;
          wasQuoted = true;
        } else if (c == '"') {
          return 2;
        } else cur.append(c);
      }
      if (quoted) return 1;
      out.add(wasQuoted ? "\u0000" + cur : cur.toString());
      return 0;
    }

    /**
     * As runtime/connectors/files/csv.ts castValue: a value that reads as a decimal number (JS
     * whitespace around it allowed) becomes that number; hex, and numbers beyond a double's range,
     * stay text.
     */
    static Object cast(String v) {
      if (v.startsWith("\u0000")) v = v.substring(1);
      if (!DECIMAL.matcher(Js.trimJs(v)).matches()) return v;
      double n = Js.stringToNumber(v);
      return Double.isFinite(n) ? (Object) n : v;
    }

    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?");
  }
}

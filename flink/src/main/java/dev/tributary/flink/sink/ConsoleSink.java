package dev.tributary.flink.sink;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * sink.console: one writer (parallelism 1, as Flink's PrintSink without a subtask prefix) printing
 * to the process's standard output — the `java` process for `tributary flink local`, the
 * TaskManager's .out file on a cluster. `json`: one object a line, as the embedded runtime writes
 * it; `table`: aligned columns fixed by the first record (the embedded runtime fixes them by its
 * first batch, so widths may differ; the cells are the same).
 */
public final class ConsoleSink implements Sink<Rec> {
  private static final long serialVersionUID = 1L;
  private static final int MAX_WIDTH = 40;
  private final boolean table;

  public ConsoleSink(boolean table) {
    this.table = table;
  }

  public static final NodeTranslator TRANSLATOR = ctx -> {
    ctx.input().sinkTo(new ConsoleSink(ctx.params.path("format").asText("json").equals("table"))).setParallelism(1).uid(ctx.id).name(ctx.label);
    // Every value the job holds can be written as JSON, so `errors` stays empty; it exists so an edge from it builds.
    if (ctx.connected("errors")) ctx.output("errors", ctx.input().filter(r -> false).returns(NodeContext.REC).uid(ctx.helperUid("errors")).name(ctx.label + " (errors)"));
  };

  @Override
  public SinkWriter<Rec> createWriter(WriterInitContext context) {
    return new Writer(table, System.out);
  }

  static final class Writer implements SinkWriter<Rec> {
    private final boolean table;
    private final PrintStream out;
    private List<String> columns;
    private int[] widths;

    Writer(boolean table, PrintStream out) {
      this.table = table;
      this.out = out;
    }

    @Override
    public void write(Rec r, Context context) {
      if (!table) {
        String line = Json.stringify(r.value);
        out.println(line == null ? "null" : line);
        return;
      }
      if (columns == null) {
        columns = r.value instanceof Map<?, ?> m ? new ArrayList<>(m.keySet().stream().map(String::valueOf).toList()) : List.of("value");
        widths = new int[columns.size()];
        List<String> first = cells(r.value);
        for (int i = 0; i < widths.length; i++) widths[i] = Math.min(Math.max(columns.get(i).length(), first.get(i).length()), MAX_WIDTH);
        out.println(row(columns));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < widths.length; i++) rule.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
        out.println(rule);
      }
      out.println(row(cells(r.value)));
    }

    private List<String> cells(Object v) {
      List<String> out = new ArrayList<>();
      for (String c : columns) {
        Object x = v instanceof Map<?, ?> m ? m.get(c) : c.equals("value") ? v : null;
        boolean present = v instanceof Map<?, ?> m ? m.containsKey(c) : c.equals("value");
        if (!present || x == dev.tributary.flink.expr.Js.UNDEFINED) out.add("");
        else if (x instanceof String s) out.add(s);
        else out.add(String.valueOf(Json.stringify(x)));
      }
      return out;
    }

    /** Pad to the column; a wider value pushes the row rather than losing digits, up to MAX_WIDTH. */
    private String row(List<String> cells) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        String c = cells.get(i);
        if (i > 0) b.append("  ");
        if (c.length() > MAX_WIDTH) b.append(c, 0, MAX_WIDTH - 1).append('…');
        else b.append(c).append(" ".repeat(Math.max(0, widths[i] - c.length())));
      }
      return b.toString().stripTrailing();
    }

    @Override
    public void flush(boolean endOfInput) {
      out.flush();
    }

    @Override
    public void close() {
      out.flush();
    }
  }
}

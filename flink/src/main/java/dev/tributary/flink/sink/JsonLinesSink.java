package dev.tributary.flink.sink;

import dev.tributary.flink.Rec;
import dev.tributary.flink.expr.Json;
import dev.tributary.flink.translate.NodeContext;
import dev.tributary.flink.translate.NodeTranslator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * sink.file: one JSON object a line in arrival order (a single writer), written to a temporary
 * file beside the target and renamed when the input ends, as the embedded runtime publishes its
 * files only when the run ends well; a failed job leaves no file. (Exactly-once file output across
 * restarts is Flink's FileSink; this sink targets bounded runs.)
 */
public final class JsonLinesSink implements Sink<Rec> {
  private static final long serialVersionUID = 1L;
  private final String path;

  public JsonLinesSink(String path) {
    this.path = path;
  }

  public static final NodeTranslator TRANSLATOR = ctx -> ctx.input()
      .sinkTo(new JsonLinesSink(ctx.path(ctx.params.get("path").asText())))
      .setParallelism(1).uid(ctx.id).name(ctx.label);

  @Override
  public SinkWriter<Rec> createWriter(WriterInitContext context) throws IOException {
    return new Writer(Path.of(path));
  }

  static final class Writer implements SinkWriter<Rec> {
    private final Path target;
    private final Path temp;
    private final BufferedWriter out;
    private boolean published;

    Writer(Path target) throws IOException {
      this.target = target;
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      this.temp = dir.resolve("." + target.getFileName() + ".flink-" + ProcessHandle.current().pid() + ".tmp");
      this.out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
    }

    @Override
    public void write(Rec r, Context context) throws IOException {
      String line = Json.stringify(r.value);
      out.write(line == null ? "null" : line);
      out.write('\n');
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      out.flush();
      if (endOfInput && !published) {
        out.close();
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        published = true;
      }
    }

    @Override
    public void close() throws IOException {
      if (!published) {
        out.close();
        Files.deleteIfExists(temp);
      }
    }
  }

}

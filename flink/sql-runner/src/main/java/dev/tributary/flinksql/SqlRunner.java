package dev.tributary.flinksql;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs a Flink SQL script, such as the pipeline.sql that `tributary flink export` writes, in a
 * local streaming TableEnvironment (a MiniCluster) and waits for its INSERT job to finish.
 * Usage: SqlRunner script.sql. Statements end with ';' at the end of a line, outside quotes;
 * an EXECUTE STATEMENT SET block runs as one statement (TableEnvironment.executeSql takes it whole).
 */
public final class SqlRunner {
  private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'\\s*");

  public static void main(String[] args) throws Exception {
    String script = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    env.getConfig().set("parallelism.default", "1");
    TableResult last = null;
    for (String stmt : statements(script)) {
      // SET is the SQL client's statement; a TableEnvironment takes it as configuration.
      Matcher set = SET.matcher(stmt);
      if (set.matches()) {
        env.getConfig().set(set.group(1), set.group(2));
        continue;
      }
      TableResult r = env.executeSql(stmt);
      if (r.getJobClient().isPresent()) last = r;
    }
    if (last != null) last.await();
  }

  /** Splits on ';' ending a line outside quotes; a STATEMENT SET block stays whole. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inSet = false;
    for (String line : script.split("\n", -1)) {
      String t = line.strip();
      if (cur.length() == 0 && (t.isEmpty() || t.startsWith("--"))) continue;
      cur.append(line).append('\n');
      String upper = cur.toString().strip().toUpperCase();
      if (upper.startsWith("EXECUTE STATEMENT SET")) inSet = true;
      if (!t.endsWith(";") || quoteOpen(cur)) continue;
      if (inSet && !t.equalsIgnoreCase("END;")) continue;
      String s = cur.toString().strip();
      out.add(s.substring(0, s.length() - 1));
      cur.setLength(0);
      inSet = false;
    }
    if (cur.toString().strip().length() > 0) out.add(cur.toString().strip());
    return out;
  }

  /** Whether a 'string' or a `quoted identifier` is open (a quote of the other kind inside one is text). */
  private static boolean quoteOpen(CharSequence s) {
    char open = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (open == 0 && (c == '\'' || c == '`')) open = c;
      else if (c == open) open = 0;
    }
    return open != 0;
  }
}

package dev.tributary.flink.connect;

import dev.tributary.flink.translate.NodeFunction.NodeFailure;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Environment references in connection params (`${NAME}`, `${NAME:-default}`), resolved as
 * runtime/connectors/env.ts resolves them: one pass, a default taken as written, an empty variable
 * counting as unset, an unset one without a default an error naming the node and param. The job
 * resolves them where it is built (the `java` process of `tributary flink local`, which inherits
 * the command's environment; on a cluster, the JobManager's), so secrets never travel inside the
 * compiled pipeline.
 */
public final class EnvRefs {
  private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\\}");

  private EnvRefs() {}

  public static String resolve(String value, String nodeId, String param) {
    return resolve(value, nodeId, param, System.getenv());
  }

  static String resolve(String value, String nodeId, String param, Map<String, String> env) {
    Matcher m = REF.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      String replacement;
      if (v != null && !v.isEmpty()) replacement = v;
      else if (m.group(2) != null) replacement = m.group(2);
      else throw new NodeFailure(nodeId, param + ": environment variable " + m.group(1) + " is not set");
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}

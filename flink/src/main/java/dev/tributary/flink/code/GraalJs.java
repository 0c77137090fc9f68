package dev.tributary.flink.code;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;

/**
 * GraalJS contexts for the `code` params. One engine per JVM (a TaskManager's slots share it, and
 * with it the parsed code); on a stock JDK Truffle runs in interpreter mode, which is expected,
 * so its warning is off. Code sees only what the job hands it: no host classes, I/O or threads.
 */
final class GraalJs {
  private GraalJs() {}

  private static Engine engine;

  static synchronized Engine engine() {
    if (engine == null) {
      engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
    }
    return engine;
  }

  static Context context() {
    return Context.newBuilder("js").engine(engine()).allowHostAccess(HostAccess.EXPLICIT).build();
  }
}

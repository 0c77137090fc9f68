package dev.tributary.flink.code;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;

/**
 * GraalJS contexts for the `code` params. The functions of one job in one JVM share an engine
 * (a TaskManager's slots, and with them the parsed code); it is closed with its last context, so a
 * session cluster running job after job keeps none. On a stock JDK Truffle runs in interpreter
 * mode, which is expected, so its warning is off. Code sees only what the job hands it: no host
 * classes, I/O or threads.
 */
final class GraalJs {
  private GraalJs() {}

  private static Engine engine;
  private static int open;

  static synchronized Context context() {
    if (engine == null) engine = Engine.newBuilder("js").option("engine.WarnInterpreterOnly", "false").build();
    Context c = Context.newBuilder("js").engine(engine).allowHostAccess(HostAccess.EXPLICIT).build();
    open++;
    return c;
  }

  static synchronized void close(Context c) {
    c.close();
    if (--open == 0) {
      engine.close();
      engine = null;
    }
  }
}

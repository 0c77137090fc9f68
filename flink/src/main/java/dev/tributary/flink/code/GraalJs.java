package dev.tributary.flink.code;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.io.IOAccess;

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
    // Every grant spelled out (they are the builder's defaults): only the @HostAccess.Export
    // methods of the objects the job hands in are reachable; no Java.type, no files (and so no
    // `load`), no threads, processes, native code, environment or other languages.
    Context c = Context.newBuilder("js")
        .engine(engine)
        .allowAllAccess(false)
        .allowHostAccess(HostAccess.EXPLICIT)
        .allowHostClassLookup(name -> false)
        .allowHostClassLoading(false)
        .allowIO(IOAccess.NONE)
        .allowCreateThread(false)
        .allowCreateProcess(false)
        .allowNativeAccess(false)
        .allowEnvironmentAccess(EnvironmentAccess.NONE)
        .allowPolyglotAccess(PolyglotAccess.NONE)
        .option("js.load", "false")
        .build();
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

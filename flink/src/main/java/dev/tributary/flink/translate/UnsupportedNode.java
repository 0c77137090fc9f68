package dev.tributary.flink.translate;

/** A node (or a param of it) the Flink job cannot translate; named before anything is submitted. */
public final class UnsupportedNode extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedNode(String nodeId, String reason) {
    super("node '" + nodeId + "': " + reason);
  }
}

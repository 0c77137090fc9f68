package dev.tributary.flink.translate;

/**
 * Builds one node type's part of the job from Flink's own operators (Flink CDC's composer shape:
 * one small translator per kind). The node's main operator gets `uid(node id)`, its helper
 * operators `uid(NodeContext.helperUid(role))`, and all of them the label as their name, so
 * savepoints survive edits and Flink's web UI reads like the canvas.
 */
@FunctionalInterface
public interface NodeTranslator {
  void translate(NodeContext ctx) throws Exception;
}

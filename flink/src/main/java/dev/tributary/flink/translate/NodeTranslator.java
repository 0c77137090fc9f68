package dev.tributary.flink.translate;

/**
 * Builds one node type's part of the job from Flink's own operators (Flink CDC's composer shape:
 * one small translator per kind). Every operator it adds gets `uid(node id)` and `name(label)`,
 * so savepoints survive edits and Flink's web UI reads like the canvas.
 */
@FunctionalInterface
public interface NodeTranslator {
  void translate(NodeContext ctx) throws Exception;
}

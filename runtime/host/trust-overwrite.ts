// A file sink that would overwrite a pipeline file needs trust: a code-free pipeline could
// otherwise replace itself (or a sibling) with whatever its records say, and the next run of that
// file would run the new content. Pipeline files are recognised by their content, so the rule
// holds whichever name the sink uses to reach them.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Pipeline } from '../format/validate.js';

const PIPELINE_FORMAT = /"format"\s*:\s*"tributary\.pipeline\//;

async function isPipelineFile(path: string): Promise<boolean> {
  let f;
  try {
    f = await open(path, 'r');
  } catch {
    return false; // missing (the usual case) or unreadable: nothing to overwrite that we can tell
  }
  try {
    if (!(await f.stat()).isFile()) return false;
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await f.read(buf, 0, buf.length, 0);
    return PIPELINE_FORMAT.test(buf.toString('utf8', 0, bytesRead));
  } finally {
    await f.close();
  }
}

/** Reasons for trust: each sink.file whose target is an existing pipeline file. */
export async function overwriteReasons(pipeline: Pipeline, baseDir: string): Promise<string[]> {
  const reasons: string[] = [];
  for (const n of pipeline.nodes) {
    if (n.type !== 'sink.file') continue;
    const target = resolve(baseDir, (n.params as { path: string }).path);
    if (await isPipelineFile(target)) reasons.push(`node '${n.id}' (params.path) would overwrite the pipeline file ${target}`);
  }
  return reasons;
}

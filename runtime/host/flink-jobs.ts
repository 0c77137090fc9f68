// The Flink jobs the editor's host submitted, one per pipeline (the last one submitted from it),
// remembered on disk: a reloaded page, a reopened document or a restarted host finds the job again
// and follows it (flinkAttach). Kept in the user's own state folder beside the trust store, not
// beside the pipeline: a record names an address the host contacts as soon as the pipeline opens,
// and a web UI page the desktop app may then open in the browser, so it must be one this user's
// host wrote, not one a cloned project carries in its .tributary folder.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { restBase } from '../flink/rest.js';

/** Flink's JobID as its REST API spells it: 16 bytes in hex. */
export const FLINK_JOB_ID = /^[0-9a-f]{32}$/;

const recordSchema = z.strictObject({
  /** Which pipeline: `file:<absolute path>` or `template:<name>`. */
  pipeline: z.string(),
  jobId: z.string().regex(FLINK_JOB_ID),
  /** The JobManager's REST address, as restBase() made it from what the user gave. */
  cluster: z.string().refine((c) => {
    try {
      return restBase(c) === c;
    } catch {
      return false;
    }
  }),
  submittedAt: z.number(),
  /** The operator names the job was given, to find each node's figures again. */
  nodes: z.array(z.strictObject({ id: z.string(), type: z.string(), label: z.string() })),
  edges: z.array(z.strictObject({ from: z.string(), fromPort: z.string(), to: z.string(), toPort: z.string() })),
});

export type FlinkJobRecord = z.output<typeof recordSchema>;

export class FlinkJobStore {
  constructor(readonly dir: string) {}

  private fileOf(pipeline: string): string {
    return join(this.dir, `${createHash('sha256').update(pipeline).digest('hex').slice(0, 32)}.json`);
  }

  /** The job last submitted from this pipeline; null when none (or the record is not one this store wrote). */
  async get(pipeline: string): Promise<FlinkJobRecord | null> {
    let text: string;
    try {
      text = await readFile(this.fileOf(pipeline), 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = recordSchema.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.pipeline === pipeline ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Written whole and renamed into place: editors in other threads may read it at any moment. */
  async put(record: FlinkJobRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(record.pipeline);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(recordSchema.parse(record)), { mode: 0o600 });
    await rename(tmp, file);
  }

  /** Forget the job, unless a later one from the same pipeline has replaced it meanwhile. */
  async remove(pipeline: string, jobId: string): Promise<void> {
    if ((await this.get(pipeline))?.jobId !== jobId) return;
    await rm(this.fileOf(pipeline), { force: true });
  }
}

// Checkpoints on disk: one file per checkpoint or savepoint in a folder per pipeline, written
// atomically (temporary file, fsync, rename, fsync of the folder) so a crash leaves either the old
// set or the new one. A file starts with a magic, the format version, the payload's length and its
// CRC-32, so a truncated or damaged file is recognised and refused rather than half-restored. The
// payload is v8.serialize: it keeps what JSON cannot (Infinity in CEP snapshots, typed arrays in
// window and generator state) and is fast.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { makeDirs } from './make-dirs.js';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import type { CheckpointStore } from '../../engine/checkpoint/coordinator.js';
import { CHECKPOINT_VERSION, type CheckpointData, type CheckpointKind } from '../../engine/checkpoint/snapshot.js';

const MAGIC = Buffer.from('TRIBCKPT', 'latin1');
const HEADER = MAGIC.length + 4 + 4 + 8;
/** Checkpoints kept per folder (savepoints are counted apart). */
export const DEFAULT_RETAINED = 3;
const NAME = /^(chk|savepoint)-(\d+)\.ckpt$/;

export class CorruptCheckpointError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path} is not a usable checkpoint: ${reason}`);
    this.name = 'CorruptCheckpointError';
  }
}

export function encodeCheckpoint(data: CheckpointData): Buffer {
  const payload = serialize(data);
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(CHECKPOINT_VERSION, 8);
  head.writeUInt32LE(crc32(payload), 12);
  head.writeBigUInt64LE(BigInt(payload.length), 16);
  return Buffer.concat([head, payload]);
}

export function decodeCheckpoint(path: string, buf: Buffer): CheckpointData {
  if (buf.length < HEADER || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new CorruptCheckpointError(path, 'not a Tributary checkpoint file');
  const version = buf.readUInt32LE(8);
  if (version !== CHECKPOINT_VERSION) throw new CorruptCheckpointError(path, `format version ${version}, this version reads ${CHECKPOINT_VERSION}`);
  const length = Number(buf.readBigUInt64LE(16));
  const payload = buf.subarray(HEADER);
  if (payload.length !== length) throw new CorruptCheckpointError(path, `truncated (${payload.length} of ${length} bytes)`);
  if (crc32(payload) !== buf.readUInt32LE(12)) throw new CorruptCheckpointError(path, 'checksum mismatch (the file is damaged)');
  try {
    return deserialize(payload) as CheckpointData;
  } catch (err) {
    throw new CorruptCheckpointError(path, `cannot decode: ${(err as Error).message}`);
  }
}

export async function readCheckpoint(path: string): Promise<CheckpointData> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CorruptCheckpointError(path, e.code === 'ENOENT' ? 'no such file' : e.message);
  }
  return decodeCheckpoint(path, buf);
}

export interface ListedCheckpoint {
  readonly path: string;
  readonly id: number;
  readonly kind: CheckpointKind;
}

/** Checkpoints and savepoints in the folders, newest (highest id) first. */
export async function listCheckpoints(dirs: readonly string[]): Promise<ListedCheckpoint[]> {
  const found: ListedCheckpoint[] = [];
  for (const dir of new Set(dirs)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const m = NAME.exec(name);
      if (m) found.push({ path: join(dir, name), id: Number(m[2]), kind: m[1] === 'chk' ? 'checkpoint' : 'savepoint' });
    }
  }
  return found.sort((a, b) => b.id - a.id);
}

export interface Resumable {
  readonly data: CheckpointData;
  readonly path: string;
}

/**
 * The newest checkpoint or savepoint that reads back whole; damaged or truncated ones are skipped
 * and returned with the reason, so the caller can say which one it fell back from.
 */
export async function newestCheckpoint(dirs: readonly string[]): Promise<{ found: Resumable | null; skipped: CorruptCheckpointError[] }> {
  const skipped: CorruptCheckpointError[] = [];
  for (const c of await listCheckpoints(dirs)) {
    try {
      return { found: { data: await readCheckpoint(c.path), path: c.path }, skipped };
    } catch (err) {
      if (!(err instanceof CorruptCheckpointError)) throw err;
      skipped.push(err);
    }
  }
  return { found: null, skipped };
}

function fileName(id: number, kind: CheckpointKind): string {
  return `${kind === 'checkpoint' ? 'chk' : 'savepoint'}-${String(id).padStart(6, '0')}.ckpt`;
}

async function writeAtomically(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  await makeDirs(dir);
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, target);
  // The rename is durable only once the folder's entry is.
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
  return target;
}

export class FolderCheckpointStore implements CheckpointStore {
  constructor(
    readonly dir: string,
    /** Savepoints go here (never pruned when it is not `dir`). */
    readonly savepointDir: string = dir,
    private readonly retained = DEFAULT_RETAINED,
  ) {}

  encode(data: CheckpointData): Uint8Array {
    return encodeCheckpoint(data);
  }

  async persist(id: number, kind: CheckpointKind, bytes: Uint8Array): Promise<string> {
    const dir = kind === 'savepoint' ? this.savepointDir : this.dir;
    const path = await writeAtomically(dir, fileName(id, kind), bytes);
    if (dir === this.dir) await this.prune(kind);
    return path;
  }

  /** One past the highest id in the folders, so ids keep increasing across runs. */
  async nextId(): Promise<number> {
    const all = await listCheckpoints([this.dir, this.savepointDir]);
    return all.length === 0 ? 1 : all[0]!.id + 1;
  }

  /** Keep the newest `retained` of a kind in `dir`. */
  private async prune(kind: CheckpointKind): Promise<void> {
    const mine = (await listCheckpoints([this.dir])).filter((c) => c.kind === kind);
    for (const old of mine.slice(this.retained)) await rm(old.path, { force: true });
  }

  /** The run finished: its checkpoints (and savepoints in the default folder) have nothing left to resume. */
  async clear(): Promise<void> {
    for (const c of await listCheckpoints([this.dir])) await rm(c.path, { force: true });
  }
}

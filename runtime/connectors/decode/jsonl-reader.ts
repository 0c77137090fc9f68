// JSON Lines chunks in file order, decoded on this thread or by a decode pool. With a pool, up to
// `depth` segments are in the workers while the operator thread works on earlier ones; answers
// are taken strictly in the order the segments were cut, so the chunks are those of the
// single-thread reader whatever order the workers finish in. A chunk's `end` is the file position
// just past it: a segment handed to a worker is not consumed until its chunk is taken here.
import type { Chunk } from '../files/readers.js';
import { decodeJsonlSegment } from './jsonl-segment.js';
import type { DecodePool } from './pool.js';
import type { Projection } from './projected.js';
import { readJsonlSegments, type Segment, type SegmentStart } from './segments.js';

export interface PositionedChunk {
  readonly chunk: Chunk;
  /** Where the next chunk starts: byte offset and lines before it. */
  readonly end: SegmentStart;
}

interface InFlight {
  readonly chunk: Promise<Chunk>;
  readonly end: SegmentStart;
}

export class JsonlReader {
  private readonly segments: AsyncGenerator<Segment>;
  private readonly queue: InFlight[] = [];
  private eof = false;

  constructor(
    path: string,
    private readonly from: SegmentStart | undefined,
    private readonly pool: DecodePool | null,
    /** With a pool: keep only these fields (projected.ts). */
    private readonly projection: Projection | null = null,
  ) {
    this.segments = readJsonlSegments(path, from);
  }

  /**
   * Passes over `n` chunks without decoding them (their boundaries need only the line scan). The
   * position just past them (where the next chunk starts, what a checkpoint must record until a
   * chunk is emitted), or null if the file ends first.
   */
  async skip(n: number): Promise<SegmentStart | null> {
    let at = this.from ?? { offset: 0, line: 0 };
    for (let i = 0; i < n; i++) {
      const s = await this.segments.next();
      if (s.done) return null;
      at = { offset: s.value.end, line: s.value.endLine };
    }
    return at;
  }

  async next(): Promise<PositionedChunk | null> {
    if (this.pool === null) {
      const s = await this.segments.next();
      if (s.done) return null;
      return { chunk: decodeJsonlSegment(s.value.bytes, s.value.firstLine), end: { offset: s.value.end, line: s.value.endLine } };
    }
    const depth = this.pool.size * 2;
    while (!this.eof && this.queue.length < depth) {
      const s = await this.segments.next();
      if (s.done) {
        this.eof = true;
        break;
      }
      const chunk = this.pool.decode(s.value.bytes, s.value.firstLine, this.projection);
      // Awaited in turn below; until then a failure must not count as unhandled.
      chunk.catch(() => {});
      this.queue.push({ chunk, end: { offset: s.value.end, line: s.value.endLine } });
    }
    const head = this.queue.shift();
    if (head === undefined) return null;
    return { chunk: await head.chunk, end: head.end };
  }

  async close(): Promise<void> {
    this.queue.length = 0;
    await this.segments.return(undefined);
  }
}

// A decode worker: turns raw bytes into records off the operator thread. Requests carry an id and
// are answered with it; the pool puts answers back in order. It says `ready` first, so a pool that
// cannot start workers (a packaging without worker support) knows before it relies on them.
import { parentPort } from 'node:worker_threads';
import { decodeJsonlSegment } from './jsonl-segment.js';
import { transfers } from '../../engine/parallel/columns.js';
import { decodeProjected } from './projected.js';
import type { DecodeReply, DecodeRequest } from './protocol.js';

parentPort!.on('message', (req: DecodeRequest) => {
  let reply: DecodeReply;
  const moved: ArrayBuffer[] = [];
  try {
    if (req.project === null) reply = { id: req.id, chunk: decodeJsonlSegment(req.bytes, req.firstLine) };
    else {
      const projected = decodeProjected(req.bytes, req.firstLine, req.project);
      transfers(projected.cols, moved);
      moved.push(projected.lines.buffer as ArrayBuffer);
      reply = { id: req.id, projected };
    }
  } catch (err) {
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply, moved);
});
parentPort!.postMessage('ready');

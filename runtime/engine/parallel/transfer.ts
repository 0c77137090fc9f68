// The buffers of a snapshot that can move to another thread instead of being copied: binary
// snapshots (window columns, cep) are typed arrays over buffers of their own. A view over part of
// a buffer (Node's pooled Buffers, slices) is left to structured clone: moving it would detach
// bytes that are not the snapshot's.
export function ownBuffers(value: unknown, out: ArrayBuffer[] = [], seen = new Set<unknown>()): ArrayBuffer[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const b = value.buffer;
    if (b instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === b.byteLength && !seen.has(b)) {
      seen.add(b);
      out.push(b);
    }
    return out;
  }
  if (Array.isArray(value)) {
    // Arrays of plain values (keys, records) hold no buffers; only look into arrays of objects.
    for (const v of value) if (v !== null && typeof v === 'object') ownBuffers(v, out, seen);
    return out;
  }
  if (value instanceof Map || value instanceof Set) return out;
  for (const v of Object.values(value)) ownBuffers(v, out, seen);
  return out;
}

// Reading tensors of the kserve-v2 binary tensor data extension (Triton's and KServe's
// "Binary Tensor Data Extension"): little-endian, row-major, no padding; BOOL one byte (0 or 1);
// BYTES each element a 4-byte little-endian unsigned length then its bytes; FP16 / BF16 two bytes.
// Typed arrays use the host's byte order, so the node refuses binary tensors on a big-endian host
// rather than reading every number with its bytes swapped.
import { endianness } from 'node:os';

/** Bytes per element of the fixed-size datatypes (BYTES has none). */
export const ELEMENT_BYTES: Readonly<Record<string, number>> = { FP16: 2, BF16: 2, FP32: 4, FP64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, BOOL: 1 };

export function binaryTensorsRefusal(): string | null {
  return endianness() === 'LE' ? null : "binary tensors are little-endian and this host is big-endian; turn 'binary' off";
}

/** IEEE 754 half precision → number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function strings(bytes: Uint8Array, what: string): string[] {
  const out: string[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw new Error(`${what}: a BYTES element's length prefix is cut off`);
    const len = view.getUint32(at, true);
    at += 4;
    if (at + len > bytes.length) throw new Error(`${what}: a BYTES element says it has ${len} bytes; ${bytes.length - at} are left`);
    out.push(text.decode(bytes.subarray(at, at + len)));
    at += len;
  }
  return out;
}

/**
 * A binary tensor's elements: numbers in a typed array (copied: the response buffer need not be
 * aligned), BigInts for 64-bit integers, booleans for BOOL, strings for BYTES.
 */
export function readBinaryTensor(datatype: string, bytes: Uint8Array, what: string): ArrayLike<number | bigint | boolean | string> {
  if (datatype === 'BYTES') return strings(bytes, what);
  const per = ELEMENT_BYTES[datatype];
  if (per === undefined) throw new Error(`${what}: binary datatype ${datatype} is not one the node reads; turn 'binary' off`);
  if (bytes.length % per !== 0) throw new Error(`${what}: ${bytes.length} bytes is not a whole number of ${datatype} elements`);
  const b = new Uint8Array(bytes).buffer;
  switch (datatype) {
    case 'FP16': return Float32Array.from(new Uint16Array(b), half);
    // bfloat16 is the upper half of a float32.
    case 'BF16': return new Float32Array(Uint32Array.from(new Uint16Array(b), (x) => x << 16).buffer);
    case 'FP32': return new Float32Array(b);
    case 'FP64': return new Float64Array(b);
    case 'INT8': return new Int8Array(b);
    case 'INT16': return new Int16Array(b);
    case 'INT32': return new Int32Array(b);
    case 'INT64': return new BigInt64Array(b);
    case 'UINT8': return new Uint8Array(b);
    case 'UINT16': return new Uint16Array(b);
    case 'UINT32': return new Uint32Array(b);
    case 'UINT64': return new BigUint64Array(b);
    default: return Array.from(new Uint8Array(b), (x) => x !== 0); // BOOL
  }
}

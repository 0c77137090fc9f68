// A WebSocket client written against the wire (RFC 6455) on a plain TCP socket, so tests can send
// what no well-behaved library would: invalid UTF-8 in a text frame, a length over the limit.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawSocket {
  readonly socket: Socket;
  /** Sends one frame, masked as a client must, with `payload` or only a header that claims `length`. */
  frame(opcode: number, payload: Buffer, opts?: { claimLength?: number }): void;
  /** The close frame the server sends (code and reason), or null if the connection just ends. */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string } | null>;
}

export function openRaw(port: number, token: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let close: { code: number; reason: string } | null = null;
    let gotClose: () => void = () => undefined;
    // Done at the server's close frame (answered, as a client must) or when the connection ends.
    const ended = new Promise<void>((r) => {
      gotClose = r;
      socket.once('close', () => r());
    });
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        resolve(raw);
      }
      // Server frames are unmasked; only the close frame matters here.
      while (buf.length >= 2) {
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let at = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          at = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          at = 10;
        }
        if (buf.length < at + len) return;
        const payload = buf.subarray(at, at + len);
        buf = buf.subarray(at + len);
        if (opcode === 8 && !close) {
          close = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') };
          if (!socket.destroyed) raw.frame(0x8, Buffer.from(payload.subarray(0, 2)));
          gotClose();
        }
      }
    });
    const raw: RawSocket = {
      socket,
      frame(opcode, payload, opts = {}) {
        const length = opts.claimLength ?? payload.length;
        const mask = randomBytes(4);
        let header: Buffer;
        if (length < 126) header = Buffer.from([0x80 | opcode, 0x80 | length]);
        else if (length < 65536) {
          header = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0]);
          header.writeUInt16BE(length, 2);
        } else {
          header = Buffer.alloc(10);
          header[0] = 0x80 | opcode;
          header[1] = 0x80 | 127;
          header.writeBigUInt64BE(BigInt(length), 2);
        }
        const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
        socket.write(Buffer.concat([header, mask, masked]));
      },
      async closed(timeoutMs = 10_000) {
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
        if ((await Promise.race([ended, timer])) === 'timeout') throw new Error('the server kept the connection open');
        return close;
      },
    };
    socket.once('connect', () => {
      socket.write(
        [
          `GET /rpc?token=${encodeURIComponent(token)} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          `Origin: http://127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.once('close', () => {
      if (!upgraded) reject(new Error('closed before the upgrade'));
    });
  });
}

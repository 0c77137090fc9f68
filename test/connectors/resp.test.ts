// The RESP pieces of the Redis writer: commands encode byte for byte as the protocol says (UTF-8
// lengths in bytes), and replies are counted exactly once each, with their errors, however the
// stream is cut.
import { describe, expect, it } from 'vitest';
import { encodeCommands, ReplyScanner, RespProtocolError } from '../../runtime/connectors/redis/resp.js';

function scanAll(chunks: Buffer[]): (string | null)[] {
  const got: (string | null)[] = [];
  const s = new ReplyScanner((e) => got.push(e));
  for (const c of chunks) s.push(c);
  expect(s.held).toBe(0);
  return got;
}

describe('RESP', () => {
  it('encodes commands with byte lengths', () => {
    expect(encodeCommands([['hset', 'k:ü', 'n', 42], ['ping']]).toString('utf8')).toBe('*4\r\n$4\r\nhset\r\n$4\r\nk:ü\r\n$1\r\nn\r\n$2\r\n42\r\n*1\r\n$4\r\nping\r\n');
    expect(encodeCommands([['set', 'k', '']]).toString()).toBe('*3\r\n$3\r\nset\r\n$1\r\nk\r\n$0\r\n\r\n');
  });

  it('encodes what outgrows its scratch space, many commands and huge arguments alike, as the protocol says', () => {
    const reference = (cmds: (string | number)[][]) => cmds.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(String(a))}\r\n${String(a)}\r\n`).join('')}`).join('');
    const many = Array.from({ length: 5000 }, (_, i) => ['hset', `user:${i}`, 'name', `ünïcödé-${i}`, 'n', i * 1.5]);
    expect(encodeCommands(many).toString('utf8')).toBe(reference(many));
    const huge = [['set', 'big', '€'.repeat(400_000)], ['ping']];
    expect(encodeCommands(huge).toString('utf8')).toBe(reference(huge));
    // And after a huge batch, small ones again.
    expect(encodeCommands([['ping']]).toString()).toBe('*1\r\n$4\r\nping\r\n');
  });

  it('counts every kind of reply once, errors kept, cut at every byte', () => {
    const stream = Buffer.from(
      [
        '+OK\r\n',
        ':1\r\n',
        '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n',
        '$5\r\nab\r\nc\r\n', // a bulk string holding CRLF
        '$-1\r\n',
        '*-1\r\n',
        '*3\r\n:1\r\n*2\r\n$1\r\nx\r\n-ERR inner\r\n+QUEUED\r\n', // an error nested in an array
        '$0\r\n\r\n',
        ':-7\r\n',
      ].join(''),
    );
    const want = [null, null, 'WRONGTYPE Operation against a key holding the wrong kind of value', null, null, null, 'ERR inner', null, null];
    expect(scanAll([stream])).toEqual(want);
    for (let cut = 1; cut < stream.length; cut++) expect(scanAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(want);
    expect(scanAll([...stream].map((b) => Buffer.from([b])))).toEqual(want);
  });

  it('holds an incomplete reply until the rest comes', () => {
    const got: (string | null)[] = [];
    const s = new ReplyScanner((e) => got.push(e));
    s.push(Buffer.from(':1\r\n$3\r\nab'));
    expect(got).toEqual([null]);
    expect(s.held).toBe(6);
    s.push(Buffer.from('c\r\n'));
    expect(got).toEqual([null, null]);
    expect(s.held).toBe(0);
  });

  it('a reset from a reply callback (the connection given up) drops the rest of the chunk', () => {
    const got: (string | null)[] = [];
    const s = new ReplyScanner((e) => {
      got.push(e);
      s.reset();
    });
    s.push(Buffer.from(':1\r\n:2\r\n$3\r\nab'));
    expect(got).toEqual([null]);
    expect(s.held).toBe(0);
  });

  it('refuses what is not RESP', () => {
    const s = new ReplyScanner(() => {});
    expect(() => s.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toThrow(RespProtocolError);
    expect(() => new ReplyScanner(() => {}).push(Buffer.from('$x\r\n'))).toThrow(RespProtocolError);
    expect(() => new ReplyScanner(() => {}).push(Buffer.from('+OK\rX'))).toThrow(RespProtocolError);
  });
});

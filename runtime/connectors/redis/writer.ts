// A Redis connection that only writes pipelines: a batch of commands is encoded into one buffer,
// written at once, and answered by one promise once every reply has come, with the first refusal.
// ioredis builds a Command object, a promise and (with a command timeout) a timer for every
// command: ~7 µs a command here, ~40 % of it garbage collection, which capped sink.redis at
// ~0.14M commands/s where Redis itself takes ~0.5M/s pipelined on the same machine. The URL and
// connection options are still ioredis's (parsed by it, as everywhere else in the project), so a
// URL means the same to every Redis node: host and port, a unix socket, `rediss://` for TLS, user,
// password and database.
import { type Socket, createConnection } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { NodeError, errorMessage } from '../../engine/errors.js';
import { resolveEnv } from '../env.js';
import { cannotReach, noAnswer } from './client.js';
import { redactUrl } from '../redact.js';
import { encodeCommands, ReplyScanner, type RespCommand } from './resp.js';

/** The connection failed, closed or stopped answering: worth retrying once Redis is back. */
export class RedisUnreachable extends Error {}

/** Redis refused the login or the database at connecting. */
class HandshakeRefused extends Error {}

/** The writer was closed (the run ends or is aborted): nothing more goes out, and nothing is retried. */
export class RedisWriterClosed extends Error {
  constructor() {
    super('the connection to Redis was closed');
  }
}

/** A command Redis refused, by its place in the batch. */
export interface Refusal {
  index: number;
  message: string;
}

interface InFlight {
  /** Replies still to come. */
  left: number;
  /** Replies seen so far (the index of the next one). */
  seen: number;
  refusal: Refusal | null;
  /** Errors that do not count as a refusal (the handshake's), by place and text. */
  tolerate?: (index: number, message: string) => boolean;
  resolve: (r: Refusal | null) => void;
  reject: (e: Error) => void;
}

/** Replies that mean "not now" rather than "no": the server is starting up. */
const NOT_READY = /^LOADING\b/;

/** AUTH's answer when the server asks for no password: ioredis, and so every other Redis node, goes on. */
const NO_PASSWORD_NEEDED = /no password is set|without any password configured for the default user/;

export class RedisWriter {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private readonly queue: InFlight[] = [];
  private readonly scanner = new ReplyScanner((e) => this.reply(e));
  private timer: NodeJS.Timeout | null = null;
  private last = '';
  private closed = false;
  /** The first connection was made (what fails after is a reconnect). */
  private opened = false;

  private constructor(
    private readonly options: RedisOptions,
    /** The URL without a password, for messages. */
    readonly where: string,
    private readonly connectTimeout: number,
    private readonly commandTimeout: number,
  ) {}

  /**
   * Connects, logs in and selects the database; fails naming the node when Redis does not answer
   * within `connectTimeout` (refused, unreachable, or accepting and saying nothing).
   */
  static async open(urlParam: string, nodeId: string, connectTimeout: number, commandTimeout: number): Promise<RedisWriter> {
    const url = resolveEnv(urlParam, nodeId, 'url');
    const where = redactUrl(url);
    let options: RedisOptions;
    try {
      // Parsed by ioredis, which does not connect with lazyConnect: the options it would use.
      const parsed = new Redis(url, { lazyConnect: true });
      options = { ...parsed.options };
      parsed.disconnect();
    } catch (err) {
      throw new NodeError(nodeId, `url: cannot use ${where}: ${errorMessage(err)}`);
    }
    const w = new RedisWriter(options, where, connectTimeout, commandTimeout);
    const until = Date.now() + connectTimeout;
    for (;;) {
      try {
        await w.connection();
        w.opened = true;
        break;
      } catch (err) {
        // Still loading its data: not an answer yet, so wait for it within the deadline (as ioredis does).
        if (err instanceof RedisUnreachable && NOT_READY.test(err.message) && Date.now() + 100 < until) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        throw cannotReach(nodeId, where, errorMessage(err), err);
      }
    }
    return w;
  }

  /** The last connection error seen, for messages when retries run out. */
  lastError(): string {
    return this.last;
  }

  /**
   * Sends the commands as one pipeline. Resolves once all are answered, with the first one Redis
   * refused (null when none was); rejects with RedisUnreachable when the connection fails first,
   * in which case any of them may or may not have been applied.
   */
  async write(cmds: readonly RespCommand[]): Promise<Refusal | null> {
    if (cmds.length === 0) return null;
    // Encoded before anything waits for replies: a command that cannot be encoded leaves no entry
    // behind for the next batch's replies to be counted against.
    const data = encodeCommands(cmds);
    const socket = await this.connection();
    // Closed, or the connection lost, while this waited its turn: nothing would answer on it.
    if (this.closed) throw new RedisWriterClosed();
    if (this.socket !== socket) throw new RedisUnreachable(this.last || 'Connection is closed');
    return new Promise<Refusal | null>((resolve, reject) => {
      this.queue.push({ left: cmds.length, seen: 0, refusal: null, resolve, reject });
      socket.write(data);
      this.arm();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const s = this.socket;
    this.socket = null;
    this.disarm();
    for (const f of this.queue.splice(0)) f.reject(new RedisWriterClosed());
    if (s === null) return;
    // A polite end (Redis closes its side on reading it), cut short if Redis does not.
    await new Promise<void>((resolve) => {
      const cut = setTimeout(() => s.destroy(), 1000);
      s.once('close', () => {
        clearTimeout(cut);
        resolve();
      });
      s.end();
    });
  }

  /** The open connection, or a new one (logged in, database selected). */
  private connection(): Promise<Socket> {
    if (this.closed) return Promise.reject(new RedisWriterClosed());
    if (this.socket !== null) return Promise.resolve(this.socket);
    this.connecting ??= this.dial().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async dial(): Promise<Socket> {
    const o = this.options;
    const target = o.path ? { path: o.path } : { host: o.host ?? '127.0.0.1', port: o.port ?? 6379, ...(o.family ? { family: o.family } : {}) };
    const socket = o.tls ? tlsConnect({ ...target, ...(typeof o.tls === 'object' ? (o.tls as ConnectionOptions) : {}) }) : createConnection(target);
    socket.setNoDelay(true);
    // As ioredis does: a peer or middlebox that silently drops the connection is noticed while idle.
    socket.setKeepAlive(true, 30_000);
    let timer: NodeJS.Timeout | undefined;
    // One deadline for connecting and the handshake: a server that accepts and stays silent fails too.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnreachable(noAnswer(this.connectTimeout))), this.connectTimeout);
    });
    try {
      const connected = new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once(o.tls ? 'secureConnect' : 'connect', () => {
          socket.off('error', reject);
          resolve();
        });
      });
      await Promise.race([connected, deadline]);
      // Closed while connecting: the connection must not outlive the writer, nor carry a write.
      if (this.closed) throw new RedisWriterClosed();
      this.socket = socket;
      this.listen(socket);
      // The handshake is a pipeline like any other: log in, choose the database, name the
      // connection (`?connectionName=`), and a PING so there is always something to answer.
      const hello: RespCommand[] = [];
      if (o.password) hello.push(o.username ? ['auth', o.username, o.password] : ['auth', o.password]);
      if (o.db) hello.push(['select', o.db]);
      const named = o.connectionName ? hello.push(['client', 'setname', o.connectionName]) - 1 : -1;
      hello.push(['ping']);
      // A user without the right to PING is still logged in (ioredis never asks it to PING), and a
      // password the server does not ask for, or a name it refuses, is ignored, as ioredis does.
      const auth = o.password ? 0 : -1;
      const ping = hello.length - 1;
      const tolerate = (i: number, m: string) => i === named || (i === ping && /^NOPERM\b/.test(m)) || (i === auth && NO_PASSWORD_NEEDED.test(m));
      const answered = new Promise<Refusal | null>((resolve, reject) => {
        this.queue.push({ left: hello.length, seen: 0, refusal: null, tolerate, resolve, reject });
        socket.write(encodeCommands(hello));
      });
      const refused = await Promise.race([answered, deadline]);
      if (refused !== null) throw new HandshakeRefused(refused.message);
      return socket;
    } catch (err) {
      this.last = errorMessage(err);
      // At start a refused login or database is an answer, not an outage: the run fails saying so.
      // Later (a reconnect) it may be passing (a password being rotated, too many clients), so it is
      // retried like an outage, for the sink's retryFor, and its text ends up in the final message.
      const passes = err instanceof RedisUnreachable || err instanceof RedisWriterClosed || (err instanceof HandshakeRefused && !this.opened);
      const e = passes ? err : new RedisUnreachable(this.last, { cause: err });
      if (this.socket === socket) this.drop(e);
      else socket.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.scanner.push(chunk);
      } catch (err) {
        this.fail(socket, errorMessage(err));
      }
    });
    socket.on('error', (err) => this.fail(socket, err.message));
    socket.on('close', () => this.fail(socket, 'Connection is closed'));
  }

  private fail(socket: Socket, why: string): void {
    if (this.socket !== socket) return;
    this.last = why;
    this.drop(new RedisUnreachable(why));
  }

  /** Forget the connection: what waits for replies fails with `err`. */
  private drop(err: Error): void {
    const s = this.socket;
    this.socket = null;
    this.scanner.reset();
    this.disarm();
    s?.destroy();
    for (const f of this.queue.splice(0)) f.reject(err);
  }

  private reply(error: string | null): void {
    const f = this.queue[0];
    if (f === undefined) {
      // A reply to nothing sent: the stream is out of step.
      if (this.socket !== null) this.fail(this.socket, 'Redis sent a reply to no command');
      return;
    }
    if (error !== null && f.refusal === null && !f.tolerate?.(f.seen, error)) f.refusal = { index: f.seen, message: error };
    f.seen++;
    if (--f.left > 0) return;
    this.queue.shift();
    if (this.queue.length === 0) this.disarm();
    else this.arm();
    if (f.refusal !== null && NOT_READY.test(f.refusal.message)) f.reject(new RedisUnreachable(f.refusal.message));
    else f.resolve(f.refusal);
  }

  /** A command timeout runs while replies are awaited; each completed batch starts it again. */
  private arm(): void {
    this.disarm();
    const s = this.socket;
    this.timer = setTimeout(() => {
      if (s !== null) this.fail(s, 'Command timed out');
    }, this.commandTimeout);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

// A real SMTP server (the smtp-server package) in its own process, for the e-mail sink's tests.
// argv[2] is JSON: {secure, key, cert, auth: {user, pass} | null, startTls, tempFailFirst, authTempFailFirst, refuse}.
// Prints `listening <port>` once bound to 127.0.0.1, then one JSON line per event:
// {kind: 'mail', at, from, to, user, secure, raw} for each message accepted, and
// {kind: 'attempt', at} each time a client starts a message (MAIL FROM), accepted or not.
// A `sync` line on stdin is answered with {kind: 'synced'}: stdout is one ordered pipe (written
// synchronously on Linux, before the client hears 250), so every event the client could have caused
// is printed before that answer.
import { createInterface } from 'node:readline';
import { SMTPServer } from 'smtp-server';

const o = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const attempts = new Map();
let logins = 0;

const server = new SMTPServer({
  secure: Boolean(o.secure),
  ...(o.key ? { key: o.key, cert: o.cert } : {}),
  authOptional: !o.auth,
  disabledCommands: [...(o.auth ? [] : ['AUTH']), ...(o.startTls ? [] : ['STARTTLS'])],
  allowInsecureAuth: true,
  logger: false,
  onAuth(auth, _session, cb) {
    // authTempFailFirst: refuse the first `authTempFailFirst` logins with 454 (a temporary failure).
    if (++logins <= (o.authTempFailFirst ?? 0)) return cb(Object.assign(new Error('Temporary authentication failure'), { responseCode: 454 }));
    if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) return cb(null, { user: auth.username });
    cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
  },
  onMailFrom(_address, _session, cb) {
    out({ kind: 'attempt', at: Date.now() });
    cb();
  },
  onRcptTo(address, _session, cb) {
    if ((o.refuse ?? []).includes(address.address)) return cb(Object.assign(new Error(`No such user ${address.address}`), { responseCode: 550 }));
    cb();
  },
  onData(stream, session, cb) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      // tempFailFirst: refuse each distinct message's first `tempFailFirst` deliveries with 451.
      const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? '';
      const n = (attempts.get(subject) ?? 0) + 1;
      attempts.set(subject, n);
      if (n <= (o.tempFailFirst ?? 0)) return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      out({ kind: 'mail', at: Date.now(), from: session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), user: session.user ?? null, secure: session.secure, raw });
      cb();
    });
  },
});
server.on('error', (e) => process.stderr.write(`${e.message}\n`));
server.listen(0, '127.0.0.1', () => out({ kind: 'listening', port: server.server.address().port }));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'sync') out({ kind: 'synced' });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

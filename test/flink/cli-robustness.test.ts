// `flink run` against something that is not a Flink JobManager, Flink's stack-trace-laden REST
// errors, and `flink cluster down` with a stale pid file: clear one-line messages, and never a
// process that `cluster up` did not start killed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADD_OPENS } from '../../runtime/cli/flink-build.js';
import { clusterDown } from '../../runtime/cli/flink-cluster.js';
import { restError, submit } from '../../runtime/cli/flink-rest.js';
import { compiled, flinkJar } from '../support/flink.js';

const TRACE = [
  'org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.',
  '\tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)',
  'Caused by: java.util.concurrent.CompletionException: org.apache.flink.util.FlinkRuntimeException: boom',
  '\tat java.base/java.util.concurrent.CompletableFuture.encodeThrowable(CompletableFuture.java:315)',
  'Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: no such file',
  '\t... 12 more',
].join('\n');

describe('flink CLI robustness', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('keeps the job\'s own node message, else first line and root cause, never the stack', () => {
    expect(restError([`${TRACE}\nCaused by: java.lang.IllegalArgumentException: node 'w': bad params\n\tat x`])).toBe("node 'w': bad params");
    const msg = restError([TRACE]);
    expect(msg).toContain('Could not execute application.');
    expect(msg).toContain('no such file');
    expect(msg).not.toContain('\tat ');
  });

  it('a server that is not Flink\'s REST API gives a one-line reason', async () => {
    server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<html><body>${'x'.repeat(10_000)}</body></html>`);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const jar = join(mkdtempSync(join(tmpdir(), 'tributary-flink-cli-')), 'job.jar');
    writeFileSync(jar, 'not a jar');
    const err = await submit(`http://127.0.0.1:${port}`, jar, {}, {}).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/HTTP 404: not a Flink REST API answer/);
    expect(err).not.toContain('<html>');
    expect(err).not.toContain('\n');
  });

  /** A compiled pipeline whose ONNX model is `mb` MB (its bytes are not a model: nothing here loads it). */
  function withModel(mb: number) {
    const c = compiled({
      nodes: [
        { id: 'src', type: 'source.generator', params: { count: 1, rate: 0 } },
        { id: 'big', type: 'infer', params: { model: { kind: 'onnx', path: 'm.onnx' }, features: ['amount'] } },
        { id: 'print', type: 'sink.console', params: {} },
      ],
      edges: [{ from: 'src', to: 'big' }, { from: 'big', to: 'print' }],
    }, tmpdir());
    const infer = c.nodes.find((n) => n.id === 'big')!;
    infer.params = { ...(infer.params as object), model: { kind: 'onnx', path: join(tmpdir(), 'm.onnx'), bytes: 'AAAA'.repeat(Math.ceil((mb * 1e6) / 3)) } };
    return c;
  }

  it('a model too big for the run request is said before anything is uploaded, naming the node', async () => {
    const jar = join(mkdtempSync(join(tmpdir(), 'tributary-flink-cli-')), 'job.jar');
    writeFileSync(jar, 'not a jar');
    // Nothing listens on port 1: reaching it would fail otherwise.
    const err = await submit('http://127.0.0.1:1', jar, withModel(12), {}).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toMatch(/above the 20\.0 MB Flink's REST server reads in one JSON string/);
    expect(err).toMatch(/infer node 'big' \(12\.0 MB\)/);
  });

  it('the job reads a compiled pipeline with a model above Jackson\'s 20,000,000-character string limit', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tributary-flink-big-')), 'pipeline.flink.json');
    writeFileSync(file, JSON.stringify(withModel(16)));
    const r = spawnSync('java', [...ADD_OPENS, '-cp', flinkJar(), 'dev.tributary.flink.TributaryJob', '--pipeline', file, '--check'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    expect(r.stderr).not.toMatch(/exceeds the maximum/);
    expect(r.stdout.trim()).toBe('ok');
  }, 120_000);

  it('cluster down leaves alone a process whose pid was reused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-down-'));
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'cluster.pids'), `${other.pid}\n`);
      expect(await clusterDown(dir)).toBe(true);
      expect(other.exitCode).toBeNull();
      expect(() => process.kill(other.pid!, 0)).not.toThrow();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('cluster down stops a process started with the folder\'s Flink config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-down-'));
    // The command line `cluster up` gives a JobManager: a Flink main class and --configDir <dir>/conf.
    // Node, not `bash -c 'sleep 60'`: bash replaces itself with sleep, whose command line no longer
    // names the Flink class, so whether the test held depended on how fast the machine was.
    const jm = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint', '--configDir', join(dir, 'conf')], { stdio: 'ignore' });
    const exited = new Promise((r) => jm.once('exit', r));
    try {
      writeFileSync(join(dir, 'cluster.pids'), `${jm.pid}\n`);
      expect(await clusterDown(dir)).toBe(true);
      await exited;
      expect(jm.signalCode).toBe('SIGTERM');
    } finally {
      jm.kill('SIGKILL');
    }
  });
});

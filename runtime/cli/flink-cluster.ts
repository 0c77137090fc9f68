// `tributary flink cluster up|down`: a real local Flink session cluster — a JobManager and a
// TaskManager as two processes — from Maven's jars (no Flink distribution needed), everything
// bound to 127.0.0.1, REST and web UI on --port. Memory flags come from Flink's own
// BashJavaUtils, as Flink's start scripts get them. State lives in <dir> (.tributary/flink).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ADD_OPENS, flinkClasspath } from './flink-build.js';

export interface ClusterOptions {
  readonly dir: string;
  readonly port: number;
  readonly slots: number;
  readonly log?: (line: string) => void;
}

const PID_FILE = 'cluster.pids';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether a Flink REST endpoint answers at url, and with how many task slots. */
export async function clusterSlots(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/overview`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    return ((await res.json()) as { 'slots-total': number })['slots-total'];
  } catch {
    return null;
  }
}

function resourceParams(cp: string, conf: string, which: 'JM' | 'TM'): { jvm: string[]; dyn: string[] } {
  const out = execFileSync('java', ['-cp', cp, 'org.apache.flink.runtime.util.bash.BashJavaUtils', `GET_${which}_RESOURCE_PARAMS`, '--configDir', conf], { encoding: 'utf8' });
  const lines = out.split('\n').filter((l) => l.startsWith('BASH_JAVA_UTILS_EXEC_RESULT:')).map((l) => l.slice('BASH_JAVA_UTILS_EXEC_RESULT:'.length).trim());
  if (lines.length < 2) throw new Error(`BashJavaUtils gave no ${which} resource params:\n${out.slice(-2000)}`);
  return { jvm: lines[0]!.split(/\s+/).filter(Boolean), dyn: lines[1]!.split(/\s+/).filter(Boolean) };
}

export async function clusterUp(o: ClusterOptions): Promise<{ url: string; pids: number[] }> {
  const url = `http://127.0.0.1:${o.port}`;
  // A second `up` in the same folder would overwrite the pid file and orphan the first cluster.
  if (startedIn(o.dir).length > 0) throw new Error(`a cluster started by \`flink cluster up\` is still running from ${o.dir}; run \`flink cluster down\` first`);
  if ((await clusterSlots(url)) !== null) throw new Error(`something already answers at ${url}; stop it or choose another --port`);
  const conf = join(o.dir, 'conf');
  const logs = join(o.dir, 'log');
  mkdirSync(conf, { recursive: true });
  mkdirSync(logs, { recursive: true });
  const rpc = await freePort();
  writeFileSync(
    join(conf, 'config.yaml'),
    [
      'jobmanager.rpc.address: 127.0.0.1',
      `jobmanager.rpc.port: ${rpc}`,
      'jobmanager.bind-host: 127.0.0.1',
      // Operator metrics reach the REST API (and the editor's canvas) every 2 s rather than every 10 s.
      'metrics.fetcher.update-interval: 2000',
      'taskmanager.host: 127.0.0.1',
      'taskmanager.bind-host: 127.0.0.1',
      'rest.address: 127.0.0.1',
      'rest.bind-address: 127.0.0.1',
      `rest.port: ${o.port}`,
      'jobmanager.memory.process.size: 1024m',
      'taskmanager.memory.process.size: 1280m',
      `taskmanager.numberOfTaskSlots: ${o.slots}`,
      `io.tmp.dirs: ${join(o.dir, 'tmp')}`,
      `web.upload.dir: ${join(o.dir, 'upload')}`,
      // Stop with savepoint (the CLI's and the editor's) needs a place when none is asked for.
      `state.savepoints.dir: file://${join(o.dir, 'savepoints')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(conf, 'log4j2.properties'),
    ['rootLogger.level = INFO', 'rootLogger.appenderRef.file.ref = file', 'appender.file.type = File', 'appender.file.name = file', 'appender.file.fileName = ${sys:log.file}', 'appender.file.layout.type = PatternLayout', 'appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c{1} - %m%n', ''].join('\n'),
  );
  mkdirSync(join(o.dir, 'tmp'), { recursive: true });
  mkdirSync(join(o.dir, 'upload'), { recursive: true });
  const cp = flinkClasspath();
  const start = (name: string, main: string, params: { jvm: string[]; dyn: string[] }): number => {
    const out = openSync(join(logs, `${name}.out`), 'a');
    const child = spawn(
      'java',
      [...params.jvm, ...ADD_OPENS, `-Dlog.file=${join(logs, `${name}.log`)}`, `-Dlog4j.configurationFile=${join(conf, 'log4j2.properties')}`, '-cp', cp, main, '--configDir', conf, ...params.dyn],
      { detached: true, stdio: ['ignore', out, out] },
    );
    child.unref();
    return child.pid!;
  };
  // Both memory settings before either process starts: a failure here must not orphan a JobManager.
  const jm = resourceParams(cp, conf, 'JM');
  const tm = resourceParams(cp, conf, 'TM');
  const pids = [start('jobmanager', 'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint', jm)];
  // Written at once, so `cluster down` (and a test's cleanup) finds the JobManager even if the TaskManager cannot start.
  writeFileSync(join(o.dir, PID_FILE), pids.join('\n'));
  pids.push(start('taskmanager', 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner', tm));
  writeFileSync(join(o.dir, PID_FILE), pids.join('\n'));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const slots = await clusterSlots(url);
    if (slots !== null && slots >= o.slots) return { url, pids };
    if (pids.some((p) => !alive(p))) {
      await clusterDown(o.dir);
      throw new Error(`the Flink cluster did not start; see ${logs}`);
    }
    if (Date.now() > deadline) {
      await clusterDown(o.dir);
      throw new Error(`the Flink cluster did not come up within 120 s; see ${logs}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether pid is still one of the Flink processes `cluster up` started with this folder's config:
 * after a reboot or a crash the pid may belong to an unrelated process, which must not be killed. */
function ours(pid: number, dir: string): boolean {
  if (!alive(pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmd.includes(join(dir, 'conf')) && cmd.some((a) => a.startsWith('org.apache.flink.'));
  } catch {
    // No /proc (macOS): trust the pid file, as Flink's own stop scripts do.
    return process.platform !== 'linux';
  }
}

/** Pids from dir's pid file that are still the cluster's processes. */
function startedIn(dir: string): number[] {
  const file = join(dir, PID_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').map(Number).filter((p) => p > 0 && ours(p, dir));
}

/** Stop the processes `cluster up` started in dir; false when there were none. */
export async function clusterDown(dir: string): Promise<boolean> {
  const file = join(dir, PID_FILE);
  if (!existsSync(file)) return false;
  const pids = startedIn(dir);
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
  rmSync(file, { force: true });
  return true;
}

// Building the Tributary job for Flink (the Maven module in flink/): Maven resolves Flink's jars
// once into ~/.m2 (`mvn dependency:build-classpath`), javac compiles the module against them, and
// the jar is cached in ~/.m2/tributary keyed by a hash of the pom and every source, so a second
// build of the same sources is free and checkouts on one machine share it. Flink's own connector
// jars the job uses (datagen, files, Kafka), Jedis and Jakarta Mail go inside the jar, since a
// cluster's lib/ may lack them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CACHE = join(homedir(), '.m2', 'tributary');
// Artifact names (as `/<name>-<version>.jar`): Kafka's connector and client, Jedis and what it
// needs, Jakarta Mail (Eclipse Angus) and its activation framework.
const BUNDLED = ['flink-connector-datagen', 'flink-connector-files', 'flink-connector-kafka', 'kafka-clients', 'jedis', 'commons-pool2', 'gson', 'json', 'redis-authx-core', 'angus-mail', 'jakarta.mail-api', 'angus-activation', 'jakarta.activation-api'];

/** Java 17 closes the JDK internals Flink's serializers reach into unless opened. */
export const ADD_OPENS = ['java.lang', 'java.util', 'java.lang.reflect', 'java.time', 'java.io', 'java.net', 'java.nio', 'java.util.concurrent', 'java.util.concurrent.atomic', 'java.text', 'sun.nio.ch'].map(
  (p) => `--add-opens=java.base/${p}=ALL-UNNAMED`,
);

/** The module folder: flink/ beside runtime/ (from the sources) or beside dist/ (built). */
export function moduleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'flink', 'pom.xml'))) return join(dir, 'flink');
    dir = dirname(dir);
  }
  throw new Error('cannot find the flink/ module (flink/pom.xml) above ' + fileURLToPath(import.meta.url));
}

function sources(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) visit(p);
      else if (p.endsWith('.java')) out.push(p);
    }
  };
  if (existsSync(dir)) visit(dir);
  return out;
}

function hashOf(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.slice(f.lastIndexOf('flink/'))).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** Flink's jars (and log4j) for compiling, local runs and the session cluster. */
export function flinkClasspath(mod = moduleDir()): string {
  const pom = join(mod, 'pom.xml');
  const file = join(CACHE, `flink-job-classpath-${hashOf([pom])}.txt`);
  if (existsSync(file)) {
    const cp = readFileSync(file, 'utf8').trim();
    if (cp.split(':').every((jar) => existsSync(jar))) return cp;
  }
  mkdirSync(CACHE, { recursive: true });
  execFileSync('mvn', ['-q', '-B', '-f', pom, 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return readFileSync(file, 'utf8').trim();
}

/** Compile into a fresh folder next to the cache and move it in whole (parallel builds share the cache). */
function compileInto(target: string, cp: string, files: string[], then?: (classes: string) => void): void {
  if (existsSync(target)) return;
  mkdirSync(CACHE, { recursive: true });
  const fresh = mkdtempSync(join(CACHE, 'flink-job-building-'));
  try {
    const classes = join(fresh, 'classes');
    execFileSync('javac', ['-nowarn', '--release', '17', '-encoding', 'UTF-8', '-cp', cp, '-d', classes, ...files], { stdio: ['ignore', 'ignore', 'inherit'] });
    then?.(classes);
    try {
      renameSync(then ? join(fresh, 'out') : classes, target);
    } catch {
      // Another build put the same thing there first.
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}

/** The job jar (built once per version of the sources). */
export function flinkJobJar(mod = moduleDir()): string {
  const cp = flinkClasspath(mod);
  const files = sources(join(mod, 'src', 'main', 'java'));
  const jar = join(CACHE, `tributary-flink-${hashOf([join(mod, 'pom.xml'), ...files])}.jar`);
  compileInto(jar, cp, files, (classes) => {
    for (const lib of cp.split(':').filter((j) => BUNDLED.some((b) => new RegExp(`/${b}-[0-9][^/]*\\.jar$`).test(j)))) {
      execFileSync('jar', ['xf', lib], { cwd: classes, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    rmSync(join(classes, 'META-INF', 'MANIFEST.MF'), { force: true });
    execFileSync('jar', ['--create', '--file', join(classes, '..', 'out'), '--main-class', 'dev.tributary.flink.TributaryJob', '-C', classes, '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
  });
  return jar;
}

/** Classes of the module's Java test tools (the expression case runner, the generator dump), on top of the job. */
export function flinkTestClasses(mod = moduleDir()): string {
  const jar = flinkJobJar(mod);
  const cp = `${jar}:${flinkClasspath(mod)}`;
  const files = sources(join(mod, 'src', 'test', 'java'));
  const dir = join(CACHE, `tributary-flink-tests-${hashOf([jar, ...files])}`);
  compileInto(dir, cp, files);
  return `${dir}:${cp}`;
}

// Packaging, checked as far as this machine allows (Electron's binary cannot be downloaded here, so
// `npm run dist` itself runs on a normal machine; see the README): electron-builder's own loader and
// schema accept the config, the fuses are set, and the packaged files hold everything the main
// process and the runtime's process load, with no import of a package the installer leaves out.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';

const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const { getConfig, validateConfiguration } = fromBuilder('app-builder-lib/out/util/config/config');
const { DebugLogger } = fromBuilder('builder-util');
const { minimatch } = createRequire(fromBuilder.resolve('app-builder-lib'))('minimatch');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

async function config(): Promise<any> {
  return getConfig(process.cwd(), 'electron-builder.yml', null);
}

function packaged(patterns: string[], file: string): boolean {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return include.some((p) => minimatch(file, p, { dot: true })) && !exclude.some((p) => minimatch(file, p, { dot: true }));
}

/** Every module `entry` loads (relative imports followed), with the bare specifiers it names. */
function importGraph(entry: string): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const ast = parse(readFileSync(file, 'utf8'), { ecmaVersion: 'latest', sourceType: 'module' }) as any;
    for (const node of ast.body) {
      const source = (node.type === 'ImportDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration') && node.source?.value;
      if (typeof source !== 'string') continue;
      if (source.startsWith('.')) visit(resolve(dirname(file), source));
      else bare.add(source);
    }
  };
  visit(resolve(entry));
  return { files, bare };
}

describe('packaging', () => {
  it('electron-builder accepts the configuration; the fuses and targets are the ones asked for', async () => {
    const c = await config();
    await validateConfiguration(c, new DebugLogger(false));
    expect(c.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(c.asar).toBe(true);
    expect(c.linux.target).toEqual(['AppImage', 'deb']);
    expect(c.mac.target).toBe('dmg');
    expect(c.win.target).toBe('nsis');
    expect(pkg.scripts.dist).toMatch(/electron-builder --config electron-builder.yml/);
    // A misspelt fuse is caught by the same check.
    await expect(validateConfiguration({ ...c, electronFuses: { ...c.electronFuses, runAsNod: false } }, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('packages everything the app loads, and only production dependencies are needed', async () => {
    const patterns: string[] = (await config()).files[0].filter;
    const entries = [pkg.main, 'dist/electron/host-process.js'];
    expect(pkg.main).toBe('dist/electron/main.js');
    const needed = new Set<string>(['dist/electron/preload.cjs', 'dist/renderer/index.html', 'pipelines/trending-products.json', 'pipelines/data/orders.jsonl']);
    const allowed = new Set(['electron', ...Object.keys(pkg.dependencies)]);
    const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(s.split('/')[0]!);
    for (const entry of entries) {
      const { files, bare } = importGraph(entry);
      for (const f of files) needed.add(relative(process.cwd(), f));
      const outside = [...bare].filter((s) => !isBuiltin(s) && !allowed.has(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
      expect(outside, `${entry} imports packages the installer does not ship`).toEqual([]);
    }
    expect(needed.size).toBeGreaterThan(60);
    for (const f of needed) {
      expect(existsSync(f), `${f} is built`).toBe(true);
      expect(packaged(patterns, f), `${f} is packaged`).toBe(true);
    }
    expect(packaged(patterns, 'dist/electron/main.js.map')).toBe(false);
    expect(packaged(patterns, 'dist/scripts/start.js')).toBe(false);
    expect(packaged(patterns, join('pipelines', 'out', 'trending.jsonl'))).toBe(false);
  });
});

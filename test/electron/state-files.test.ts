// What the main process keeps and touches on disk: window bounds, recent files, the writable copy
// of the templates, pipeline files by absolute path, and the files named on the command line.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipelineArgs } from '../../electron/args.js';
import { GrantedPaths, isPipelinePath, MAX_PIPELINE_BYTES, readPipelineFile, suggestedFileName, withJsonExtension, writePipelineFile } from '../../electron/files.js';
import { MAX_RECENT, RecentFiles } from '../../electron/recent.js';
import { writableTemplates } from '../../electron/templates.js';
import { captureState, DEFAULT_STATE, restoreState, WindowStateFile } from '../../electron/window-state.js';
import { FakeWindow, scratchDir } from './support/fakes.js';

const display = (x: number, y: number, width: number, height: number) => ({ workArea: { x, y, width, height } });
const laptop = [display(0, 0, 1920, 1050)];

describe('window state', () => {
  it('comes back where the user left it, maximized or not', async () => {
    const dir = scratchDir();
    const file = new WindowStateFile(join(dir, 'window-state.json'));
    expect(await file.load(laptop)).toEqual(DEFAULT_STATE);
    const win = new FakeWindow();
    win.bounds = { x: 200, y: 100, width: 1000, height: 700 };
    win.maximized = true;
    await file.save(captureState(win));
    expect(await file.load(laptop)).toEqual({ x: 200, y: 100, width: 1000, height: 700, maximized: true, fullScreen: false });
  });

  it('never opens off-screen or larger than the screen: an unplugged monitor drops the position, keeps the size', () => {
    const twoScreens = [...laptop, display(1920, 0, 2560, 1400)];
    const onSecond = { x: 2500, y: 200, width: 1400, height: 900, maximized: false };
    expect(restoreState(onSecond, twoScreens)).toMatchObject({ x: 2500, y: 200 });
    expect(restoreState(onSecond, laptop)).toEqual({ width: 1400, height: 900, maximized: false, fullScreen: false });
    // Only the title bar's bottom edge still on screen is not enough to grab it.
    expect(restoreState({ x: 100, y: 1040, width: 800, height: 600 }, laptop)).not.toHaveProperty('x');
    expect(restoreState({ width: 9000, height: 9000 }, laptop)).toMatchObject({ width: 1920, height: 1050 });
    expect(restoreState({ width: 10, height: 10 }, laptop)).toMatchObject({ width: 640, height: 420 });
    expect(restoreState('garbage', laptop)).toEqual(DEFAULT_STATE);
    expect(restoreState({ x: 'a', y: null, width: NaN, height: 800 }, laptop)).toEqual({ ...DEFAULT_STATE, height: 800 });
  });
});

describe('recent files', () => {
  it('newest first, without duplicates, at most ten, kept across launches; bad entries are dropped', async () => {
    const dir = scratchDir();
    const file = join(dir, 'recent.json');
    const seen: (readonly string[])[] = [];
    const recent = new RecentFiles(file, (l) => seen.push(l));
    await recent.load();
    for (let i = 0; i < 12; i++) recent.add(`/p/${i}.json`);
    recent.add('/p/5.json');
    expect(recent.list).toHaveLength(MAX_RECENT);
    expect(recent.list.slice(0, 3)).toEqual(['/p/5.json', '/p/11.json', '/p/10.json']);
    recent.remove('/p/11.json');
    await recent.flushed();
    const again = new RecentFiles(file);
    await again.load();
    expect(again.list).toEqual(recent.list);
    expect(seen.at(-1)).toEqual(recent.list);
    recent.clear();
    await recent.flushed();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([]);
    writeFileSync(file, JSON.stringify(['relative.json', 42, '/ok.json']));
    await again.load();
    expect(again.list).toEqual(['/ok.json']);
  });
});

describe('pipeline files by absolute path', () => {
  it('knows a pipeline path, suggests names, adds .json', () => {
    expect(isPipelinePath('/home/u/a.json')).toBe(true);
    expect(isPipelinePath('/home/u/A.JSON')).toBe(true);
    for (const p of ['a.json', '/home/u/a.txt', '', 42, null]) expect(isPipelinePath(p), String(p)).toBe(false);
    expect(suggestedFileName('carts: high/value')).toBe('carts- high-value.json');
    expect(suggestedFileName('  ')).toBe('untitled.json');
    expect(withJsonExtension('/a/b')).toBe('/a/b.json');
    expect(withJsonExtension('/a/b.pipeline')).toBe('/a/b.pipeline.json');
    expect(withJsonExtension('/a/B.JSON')).toBe('/a/B.JSON');
  });

  it('grants only what the user chose, and refuses the rest by name', () => {
    const g = new GrantedPaths();
    g.grant('/home/u/jobs/../jobs/a.json');
    expect(g.has('/home/u/jobs/a.json')).toBe(true);
    expect(g.has('jobs/a.json')).toBe(false);
    expect(() => g.check('/home/u/jobs/b.json')).toThrow('/home/u/jobs/b.json: not a file you opened or chose in this window');
  });

  it('reads with clear errors, writes whole files only, and refuses to replace unless asked', async () => {
    const dir = scratchDir();
    await expect(readPipelineFile(join(dir, 'none.json'))).rejects.toThrow(/does not exist/);
    mkdirSync(join(dir, 'folder.json'));
    await expect(readPipelineFile(join(dir, 'folder.json'))).rejects.toThrow(/is not a file/);
    const big = join(dir, 'big.json');
    writeFileSync(big, Buffer.alloc(MAX_PIPELINE_BYTES + 1, 32));
    await expect(readPipelineFile(big)).rejects.toThrow(/too large for a pipeline/);
    const file = join(dir, 'a.json');
    await writePipelineFile(file, '{"a":1}\n', false);
    await expect(writePipelineFile(file, '{}', false)).rejects.toThrow(/already exists/);
    await writePipelineFile(file, '{"a":2}\n', true);
    expect(await readPipelineFile(file)).toEqual({ origin: { kind: 'file', path: file }, text: '{"a":2}\n' });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(writePipelineFile(join(dir, 'no-such-folder', 'b.json'), '{}', true)).rejects.toThrow(/ENOENT/);
  });
});

describe('templates and the command line', () => {
  it('a packaged app runs the templates from a writable copy, refreshed per version, keeping outputs', async () => {
    const dir = scratchDir();
    const copy = await writableTemplates(join(process.cwd(), 'pipelines'), join(dir, 'templates'), '1.0.0');
    expect(readFileSync(join(copy, 'trending-products.json'), 'utf8')).toBe(readFileSync('pipelines/trending-products.json', 'utf8'));
    expect(existsSync(join(copy, 'data', 'orders.jsonl'))).toBe(true);
    mkdirSync(join(copy, 'out'));
    writeFileSync(join(copy, 'out', 'mine.jsonl'), 'x');
    writeFileSync(join(copy, 'trending-products.json'), 'edited');
    await writableTemplates(join(process.cwd(), 'pipelines'), copy, '1.0.0');
    expect(readFileSync(join(copy, 'trending-products.json'), 'utf8')).toBe('edited'); // same version: untouched
    await writableTemplates(join(process.cwd(), 'pipelines'), copy, '1.1.0');
    expect(readFileSync(join(copy, 'trending-products.json'), 'utf8')).not.toBe('edited');
    expect(readFileSync(join(copy, 'out', 'mine.jsonl'), 'utf8')).toBe('x');
  });

  it('takes the .json files from the command line, packaged or not, ignoring switches', () => {
    expect(pipelineArgs(['/opt/Tributary/tributary', 'jobs/a.json', '--no-sandbox', 'notes.txt'], '/home/u', true)).toEqual(['/home/u/jobs/a.json']);
    expect(pipelineArgs(['/x/electron', '.', '/abs/b.json', '--inspect=9229'], '/repo', false)).toEqual(['/abs/b.json']);
    expect(pipelineArgs(['/x/electron', 'dist/electron/main.js'], '/repo', false)).toEqual([]);
  });
});

// The desktop app's file handling, main process and page together: opening from the command line
// or a dialog, Save, Save As, Export, the unsaved-changes prompt, and what the page may touch.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializePipeline } from '../../runtime/format/serialize.js';
import { until } from './support/fakes.js';
import { type Harness, harnesses } from './support/harness.js';

const make = harnesses();

const pipeline = (name: string) => ({
  format: 'tributary.pipeline/v1',
  name,
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 0, count: 100, seed: 1 } },
    { id: 'out', type: 'sink.file', params: { path: 'out/clicks.jsonl' } },
  ],
  edges: [{ from: 'clicks', to: 'out' }],
});

function writePipeline(path: string, doc: Record<string, unknown>): string {
  const text = serializePipeline(doc);
  writeFileSync(path, text);
  return text;
}

describe('opening', () => {
  it('opens the command-line pipeline once the page is ready, and names it in the title and Open Recent', async () => {
    const h = make();
    const file = join(h.dir, 'carts.json');
    writePipeline(file, pipeline('carts'));
    expect(await h.doc.openPath(file)).toBe(true); // before the page exists: the command waits
    expect(h.win.webContents.commands()).toEqual([]);
    const store = h.attachPage();
    await until(() => store.getState().doc.name === 'carts', 'the page to show the document');
    expect(store.getState().origin).toEqual({ kind: 'file', path: file });
    expect(store.getState().dirty).toBe(false);
    expect(h.win.title).toBe('carts.json — Tributary');
    expect(h.win.represented).toBe(file);
    expect(h.recent.added).toEqual([file]);
  });

  it('refuses what is not a pipeline file, and a vanished recent file, with a message', async () => {
    const h = make();
    h.attachPage();
    h.dialogs.answer('OK');
    expect(await h.doc.openPath(join(h.dir, 'notes.txt'))).toBe(false);
    h.dialogs.answer('OK');
    const gone = join(h.dir, 'gone.json');
    expect(await h.doc.openPath(gone)).toBe(false);
    expect(h.dialogs.asked.map((a) => (a.opts as { detail?: string }).detail)).toEqual([expect.stringMatching(/opens pipeline files/), expect.stringMatching(/does not exist/)]);
    expect(h.recent.removed).toEqual([gone]);
  });

  it('File › Open shows the native dialog in the document’s folder', async () => {
    const h = make();
    const store = h.attachPage();
    const file = join(h.dir, 'a.json');
    writePipeline(file, pipeline('a'));
    h.dialogs.openAnswers.push(file);
    await h.doc.fileAction('open');
    await until(() => store.getState().doc.name === 'a', 'the opened document');
    expect(h.dialogs.asked[0]).toMatchObject({ kind: 'open', opts: { defaultPath: h.dir, properties: ['openFile'] } });
  });
});

describe('saving', () => {
  it('Save writes the user’s file pretty-printed in stable key order; the title loses its unsaved mark', async () => {
    const h = make();
    const file = join(h.dir, 'carts.json');
    writePipeline(file, pipeline('carts'));
    const store = h.attachPage();
    await h.doc.openPath(file);
    await until(() => store.getState().doc.name === 'carts', 'the document');
    store.getState().setName('carts v2');
    await until(() => h.win.title.startsWith('● '), 'the unsaved mark');
    expect(h.win.edited).toBe(true);
    expect(await h.doc.save()).toBe(true);
    const saved = readFileSync(file, 'utf8');
    expect(saved).toBe(serializePipeline({ ...pipeline('carts v2') }));
    expect(saved.split('\n').length).toBeGreaterThan(10);
    await until(() => !h.win.title.startsWith('● '), 'the mark to go');
    expect(store.getState().dirty).toBe(false);
  });

  it('Save on a new document asks where (Save As), adds .json, and adopts the path; Export does not adopt', async () => {
    const h = make();
    const store = h.attachPage();
    store.getState().openText(JSON.stringify(pipeline('fresh')), { kind: 'new' });
    store.getState().setName('fresh');
    h.dialogs.saveAnswers.push(join(h.dir, 'jobs-fresh'));
    expect(await h.doc.save()).toBe(true);
    const file = join(h.dir, 'jobs-fresh.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).name).toBe('fresh');
    expect(store.getState().origin).toEqual({ kind: 'file', path: file });
    expect(h.recent.added).toEqual([file]);
    expect(h.dialogs.asked[0]).toMatchObject({ kind: 'save', opts: { defaultPath: join(h.dir, 'fresh.json') } });

    const copy = join(h.dir, 'copy.json');
    h.dialogs.saveAnswers.push(copy);
    expect(await h.doc.exportJson()).toBe(true);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(file, 'utf8'));
    expect(store.getState().origin).toEqual({ kind: 'file', path: file });
    // Cancelling the dialog saves nothing.
    expect(await h.doc.saveAs()).toBe(false);
  });

  it('the page’s own Save button on a new document asks the main process for a native dialog', async () => {
    const h = make();
    const store = h.attachPage();
    store.getState().setName('from-toolbar');
    const file = join(h.dir, 'from-toolbar.json');
    h.dialogs.saveAnswers.push(file);
    h.win.webContents.send('tributary:command', { kind: 'save' }); // as the toolbar's Save ends up
    await until(() => existsSync(file), 'the file');
    await until(() => store.getState().origin.kind === 'file', 'the origin');
  });
});

describe('unsaved changes', () => {
  async function dirtyFile(h: Harness) {
    const file = join(h.dir, 'work.json');
    const text = writePipeline(file, pipeline('work'));
    const store = h.attachPage();
    await h.doc.openPath(file);
    await until(() => store.getState().doc.name === 'work', 'the document');
    store.getState().setName('work, edited');
    await until(() => h.doc.docState.dirty, 'the dirty state to reach the main process');
    return { file, text, store };
  }

  it('Cancel keeps the window; Don’t Save discards; Save saves first', async () => {
    const h = make();
    const { file, text } = await dirtyFile(h);
    h.dialogs.answer('Cancel');
    expect(await h.doc.confirmDiscard()).toBe(false);
    expect(h.dialogs.messages()).toEqual(['Do you want to save the changes you made to work.json?']);
    h.dialogs.answer('Don’t Save');
    expect(await h.doc.confirmDiscard()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(text);
    h.dialogs.answer('Save');
    expect(await h.doc.confirmDiscard()).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8')).name).toBe('work, edited');
  });

  it('a crashed page took its unsaved work with it: closing does not ask, commands wait for the reloaded page', async () => {
    const h = make();
    await dirtyFile(h);
    h.doc.pageGone();
    expect(await h.doc.confirmDiscard()).toBe(true);
    expect(h.dialogs.asked.filter((a) => a.kind === 'message')).toEqual([]);
    h.doc.command({ kind: 'validate' });
    const sent = h.win.webContents.commands().length;
    const reloaded = h.attachPage();
    await until(() => h.win.webContents.commands().length === sent + 1, 'the queued command');
    expect(reloaded.getState().notice?.text).toMatch(/1 problem \(see Problems\)/); // an empty pipeline has no nodes
  });

  it('New and Open ask too, and do nothing on Cancel', async () => {
    const h = make();
    const { store } = await dirtyFile(h);
    h.dialogs.answer('Cancel');
    await h.doc.newDocument();
    h.dialogs.answer('Cancel');
    const other = join(h.dir, 'other.json');
    writePipeline(other, pipeline('other'));
    expect(await h.doc.openPath(other)).toBe(false);
    expect(store.getState().doc.name).toBe('work, edited');
    h.dialogs.answer('Don’t Save');
    await h.doc.newDocument();
    await until(() => store.getState().doc.nodes.length === 0, 'the new document');
  });
});

describe('what the page may touch', () => {
  it('writes and reads only absolute paths the user chose; relative paths stay in the workspace', async () => {
    const h = make();
    h.attachPage();
    const elsewhere = join(h.dir, '..', 'not-chosen.json');
    await expect(h.client.call('writeFile', { path: elsewhere, text: '{}', overwrite: true })).rejects.toThrow(/paths must be relative|outside the workspace/);
    expect(existsSync(elsewhere)).toBe(false);
    await expect(h.client.call('readFile', { path: '/etc/hostname.json' })).rejects.toThrow();
    const r = await h.client.call('writeFile', { path: 'jobs/mine.json', text: JSON.stringify(pipeline('mine')), overwrite: false });
    expect(r.path).toBe('jobs/mine.json');
    expect(existsSync(join(h.dir, 'jobs', 'mine.json'))).toBe(true);
  });
});

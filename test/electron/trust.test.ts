// Workspace trust in the desktop app: a pipeline with code from a file this machine did not write
// asks before anything runs (on opening, and again on running while restricted), is remembered per
// content, and a user's own edits never ask. Main process, real host process and the page's store.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializePipeline } from '../../runtime/format/serialize.js';
import type { EditorStore } from '../../renderer/src/store/store.js';
import { RESTRICTED_NOTICE } from '../../renderer/src/connection/desktop.js';
import { until } from './support/fakes.js';
import { codeDoc, type Harness, harnesses } from './support/harness.js';

const make = harnesses();

const PASS = 'ctx.emit({ userId: event.userId, eventType: event.eventType });';

/** A pipeline with code, as someone else's file arrives: never saved or trusted on this machine. */
function foreignFile(h: Harness, name = 'shared.json', code = PASS): string {
  const file = join(h.dir, name);
  writeFileSync(file, serializePipeline(codeDoc(code)));
  return file;
}

async function runToEnd(store: EditorStore): Promise<string> {
  await store.getState().run();
  await until(() => !['starting', 'running'].includes(store.getState().runStatus), 'the run to end', 20_000);
  return store.getState().runStatus;
}

describe('trust in the desktop app', () => {
  it('asks on opening; Restricted Mode can view and edit but not run until the user trusts it at Run', async () => {
    const h = make();
    const store = h.attachPage();
    const file = foreignFile(h);
    h.dialogs.answer('Open in Restricted Mode');
    await h.doc.openPath(file);
    await until(() => store.getState().doc.name === 'coded', 'the document');
    expect(h.dialogs.messages()).toEqual(['Do you trust shared.json?']);
    expect((h.dialogs.asked[0]!.opts as { detail: string }).detail).toMatch(/node 'fn' contains JavaScript code.* did not write/s);
    expect(h.win.title).toBe('shared.json [Restricted Mode] — Tributary');
    expect(store.getState().notice?.text).toBe(RESTRICTED_NOTICE);

    // Editing works; running asks again, and "Cancel" runs nothing and does not ask in the page too.
    store.getState().setLabel('fn', 'Pass through');
    h.dialogs.answer('Cancel');
    await store.getState().run();
    expect(store.getState().runStatus).toBe('idle');
    expect(store.getState().trustPrompt).toBeNull();
    expect(store.getState().notice?.text).toBe(RESTRICTED_NOTICE);
    expect(existsSync(join(h.dir, 'out', 'coded.jsonl'))).toBe(false);

    h.dialogs.answer('Trust and Run');
    expect(await runToEnd(store)).toBe('finished');
    expect(existsSync(join(h.dir, 'out', 'coded.jsonl'))).toBe(true);
    expect(h.win.title).toBe('● shared.json — Tributary');

    // From now on the code is the user's to change: no more questions.
    store.getState().setParam('fn', ['code'], `${PASS}\n// tuned`);
    expect(await runToEnd(store)).toBe('finished');
    expect(h.dialogs.messages()).toHaveLength(3);
  });

  it('remembers per content: trusted on opening, the same file opens and runs without asking next time', async () => {
    const dir = make().dir;
    const first = make({ dir });
    const file = foreignFile(first);
    const store = first.attachPage();
    first.dialogs.answer('Trust and Open');
    await first.doc.openPath(file);
    await until(() => store.getState().doc.name === 'coded', 'the document');
    expect(await runToEnd(store)).toBe('finished');

    const second = make({ dir });
    const again = second.attachPage();
    await second.doc.openPath(file);
    await until(() => again.getState().doc.name === 'coded', 'the document');
    expect(await runToEnd(again)).toBe('finished');
    expect(second.dialogs.asked).toEqual([]);

    // Someone changes the code in the file: it is foreign again.
    writeFileSync(file, serializePipeline(codeDoc(`${PASS} // changed`)));
    const third = make({ dir });
    third.attachPage();
    third.dialogs.answer('Open in Restricted Mode');
    await third.doc.openPath(file);
    expect(third.dialogs.messages()).toEqual(['Do you trust shared.json?']);
  });

  it('a file this machine wrote does not ask when reopened', async () => {
    const dir = make().dir;
    const author = make({ dir });
    const store = author.attachPage();
    store.getState().openText(JSON.stringify(codeDoc(PASS)), { kind: 'new' }); // written here
    const file = join(dir, 'mine.json');
    author.dialogs.saveAnswers.push(file);
    expect(await author.doc.save()).toBe(true);
    expect(author.dialogs.messages()).toEqual([]);

    const later = make({ dir });
    const again = later.attachPage();
    await later.doc.openPath(file);
    await until(() => again.getState().origin.kind === 'file', 'the document');
    expect(await runToEnd(again)).toBe('finished');
    expect(later.dialogs.asked).toEqual([]);
  });

  it('a pipeline without code that writes outside its folder opens in Restricted Mode too', async () => {
    const h = make();
    const store = h.attachPage();
    const doc = codeDoc(PASS);
    doc.nodes = (doc.nodes as { id: string; type: string; params?: unknown }[]).map((n) =>
      n.id === 'fn' ? { id: 'fn', type: 'map', params: { expression: '{ userId }' } } : n.id === 'out' ? { ...n, params: { path: '../../.profile' } } : n,
    );
    const file = join(h.dir, 'no-code.json');
    writeFileSync(file, serializePipeline(doc));
    h.dialogs.answer('Open in Restricted Mode');
    await h.doc.openPath(file);
    await until(() => store.getState().doc.name === 'coded', 'the document');
    expect((h.dialogs.asked[0]!.opts as { detail: string }).detail).toMatch(/node 'out' \(params\.path\) uses the file .*\.profile, outside the pipeline's folder/);
    h.dialogs.answer('Cancel');
    await store.getState().run();
    expect(store.getState().runStatus).toBe('idle');
    expect(existsSync(join(h.dir, '..', '..', '.profile'))).toBe(false);
  });

  it('shipped templates run without asking; a page asking to trust restricted code still meets the native prompt', async () => {
    const h = make();
    const store = h.attachPage();
    expect(await store.getState().openTemplate('session-recommendations.json')).toBe(true);
    // From the editor a template plays live (endless, at a watchable rate): it runs until stopped.
    await store.getState().run();
    await until(() => store.getState().runStatus === 'running', 'the template to run', 20_000);
    await store.getState().stop();
    await until(() => !['starting', 'running', 'stopping'].includes(store.getState().runStatus), 'the run to stop', 20_000);
    expect(h.dialogs.asked).toEqual([]);

    // Opening a template is not an edit: opening a file next asks nothing about saving it.
    h.dialogs.answer('Open in Restricted Mode');
    await h.doc.openPath(foreignFile(h));
    await until(() => store.getState().doc.name === 'coded', 'the document');
    h.dialogs.answer('Cancel');
    await expect(h.client.call('trust', { doc: store.getState().doc, origin: store.getState().origin })).rejects.toThrow(/chose not to trust/);
  });

  it('a page cannot name an absolute file the user did not choose as its origin (the host would take its folder)', async () => {
    const h = make();
    const origin = { kind: 'file' as const, path: '/x.json' };
    await expect(h.client.call('run', { doc: codeDoc(PASS), origin })).rejects.toThrow(/not a file you opened or chose in this window/);
    await expect(h.client.call('trustNeeds', { doc: codeDoc(PASS), origin })).rejects.toThrow(/not a file you opened or chose in this window/);
  });
});

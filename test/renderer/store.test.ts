// The editor's store, driven as the UI drives it, against a real runtime host over an in-process
// channel: no browser, no mocks.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../runtime/host/rpc.js';
import { type RuntimeHost, serveHost } from '../../runtime/host/runtime-host.js';
import { TrustStore } from '../../runtime/host/trust.js';
import { Workspace } from '../../runtime/host/workspace.js';
import { createEditorStore, type EditorStore } from '../../renderer/src/store/store.js';
import { channelPair } from '../support/memory-channel.js';
import { PIPELINES_DIR } from '../support/pipelines.js';

const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

function connected(trustFile = '.trust.json'): { store: EditorStore; root: string; host: RuntimeHost; close: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'tributary-store-'));
  const [a, b, close] = channelPair();
  const host = serveHost(b, { workspace: new Workspace(root), version: 'test', trustStore: new TrustStore(join(root, trustFile)) });
  closers.push(() => {
    host.dispose();
    close();
  });
  return { store: createEditorStore({ host: createClient(a), validateDelayMs: 0 }), root, host, close };
}

const until = async (cond: () => boolean, ms = 8000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Build the clickstream demo the way a user does: drop, wire, configure. */
function buildDemo(store: EditorStore): void {
  const s = () => store.getState();
  const clicks = s().addNode('source.generator', { x: 0, y: 120 });
  s().renameNode(clicks, 'clicks');
  s().setParams('clicks', { preset: 'ecommerce', rate: 2000, seed: 7 });
  const carts = s().addNode('filter', { x: 260, y: 40 });
  s().renameNode(carts, 'highValueCarts');
  s().setParam('highValueCarts', ['condition'], "eventType == 'ADD_TO_CART' && price * quantity >= 100");
  s().addNode('map', { x: 520, y: 40 });
  s().renameNode('map', 'enrich');
  s().setParam('enrich', ['expression'], '{ userId, sessionId, productId, category, device, ts, value: round(price * quantity, 2) }');
  s().addNode('keyBy', { x: 780, y: 40 });
  s().renameNode('keyBy', 'byUser');
  s().addNode('sink.file', { x: 1040, y: 40 });
  s().renameNode('fileSink', 'cartFile');
  s().setParam('cartFile', ['path'], 'out/high-value-carts.jsonl');
  const c = (source: string, target: string) => expect(s().connect({ source, target, sourceHandle: 'out', targetHandle: 'in' })).toBeNull();
  c('clicks', 'highValueCarts');
  c('highValueCarts', 'enrich');
  c('enrich', 'byUser');
  c('byUser', 'cartFile');
}

describe('editor store', () => {
  it('tracks problems as the graph is built, placed on nodes and params', () => {
    const { store } = connected();
    const s = () => store.getState();
    s().addNode('filter', { x: 0, y: 0 });
    expect(s().problems.map((p) => p.message)).toEqual(expect.arrayContaining(["input 'in' is not connected", 'the pipeline has no source']));
    s().setParam('filter', ['condition'], 'price >');
    const p = s().problems.find((x) => x.param?.[0] === 'condition')!;
    expect(p).toMatchObject({ nodeId: 'filter', param: ['condition'], path: '$.nodes[0].params.condition' });
    s().reveal('filter', ['condition']);
    expect(s().selection.nodes).toEqual(['filter']);
    expect(s().focus).toMatchObject({ nodeId: 'filter', param: ['condition'] });
  });

  it('builds the demo, marks unsaved changes, saves, undoes and redoes', async () => {
    const { store, root } = connected();
    const s = () => store.getState();
    expect(s().dirty).toBe(false);
    buildDemo(store);
    expect(s().problems).toEqual([]);
    expect(s().dirty).toBe(true);
    expect(await s().save()).toBe('needs-path');
    expect(await s().saveAs('carts')).toBe('saved');
    expect(s().origin).toEqual({ kind: 'file', path: 'carts.json' });
    expect(s().dirty).toBe(false);
    const saved = readFileSync(join(root, 'carts.json'), 'utf8');
    expect(saved).toBe(s().text());
    // The same graph as the shipped demo's cart branch, in the same canonical form.
    const demo = JSON.parse(readFileSync(join(PIPELINES_DIR, 'clickstream-demo.json'), 'utf8'));
    const mine = JSON.parse(saved);
    const strip = (n: { id: string; type: string; params: unknown }) => ({ id: n.id, type: n.type, params: n.params });
    expect(mine.nodes.map(strip)).toEqual(demo.nodes.filter((n: { id: string }) => mine.nodes.some((m: { id: string }) => m.id === n.id)).map(strip));
    expect(await s().saveAs('carts')).toBe('exists');

    s().setLabel('enrich', 'Cart value');
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().dirty).toBe(false);
    s().redo();
    expect(s().doc.nodes.find((n) => n.id === 'enrich')!.label).toBe('Cart value');
    expect(await s().save()).toBe('saved');
    expect(readFileSync(join(root, 'carts.json'), 'utf8')).toContain('"label": "Cart value"');

    // Reopen from disk: identical text, nothing dirty.
    expect(await s().openFile('carts.json')).toBe(true);
    expect(s().text()).toBe(readFileSync(join(root, 'carts.json'), 'utf8'));
    expect(s().dirty).toBe(false);
  });

  it('copies, cuts, pastes and deletes the selection', () => {
    const { store } = connected();
    const s = () => store.getState();
    buildDemo(store);
    s().select({ nodes: ['enrich', 'byUser'] });
    s().copy();
    s().paste();
    expect(s().selection.nodes).toEqual(['map', 'keyBy']);
    expect(s().doc.edges.at(-1)).toEqual({ from: 'map', to: 'keyBy' });
    s().deleteSelection();
    expect(s().doc.nodes).toHaveLength(5);
    s().select({ nodes: ['cartFile'] });
    s().cut();
    expect(s().doc.nodes.map((n) => n.id)).not.toContain('cartFile');
    s().paste();
    expect(s().doc.nodes.map((n) => n.id)).toContain('cartFile');
    s().selectAll();
    s().deleteSelection();
    expect(s().doc).toMatchObject({ nodes: [], edges: [] });
    s().undo();
    expect(s().doc.nodes).toHaveLength(5);
  });

  it('lays the graph out left to right', async () => {
    const { store } = connected();
    const s = () => store.getState();
    buildDemo(store);
    s().moveNodes(new Map(s().doc.nodes.map((n) => [n.id, { x: 0, y: 0 }])), null);
    await s().autoLayout();
    const x = (id: string) => s().doc.nodes.find((n) => n.id === id)!.position!.x;
    expect(x('clicks')).toBeLessThan(x('highValueCarts'));
    expect(x('highValueCarts')).toBeLessThan(x('enrich'));
    expect(x('byUser')).toBeLessThan(x('cartFile'));
  });

  it('runs: figures and sparklines arrive, a tap fills with records and pauses, stop ends the run', async () => {
    const { store, root } = connected();
    const s = () => store.getState();
    buildDemo(store);
    await s().run();
    expect(s().runStatus).toBe('running');
    await until(() => (s().figures.clicks?.recordsOut ?? 0) > 0);
    const first = s().figures.clicks!.recordsOut;
    await until(() => s().figures.clicks!.recordsOut > first && (s().spark.clicks?.length ?? 0) >= 3);
    expect(s().throughput).toBeGreaterThan(0);
    expect(s().edgeRates['clicks.out->highValueCarts.in']).toBeGreaterThan(0);

    await s().openTap('enrich.out->byUser.in');
    await until(() => (s().tap?.rows.length ?? 0) >= 2);
    expect(Object.keys(s().tap!.rows[0]!.value as object)).toEqual(['userId', 'sessionId', 'productId', 'category', 'device', 'ts', 'value']);
    expect(s().sampled['enrich.out->byUser.in']).toContain('value');
    // Later tap batches carry the same fields: the sampled fields stay the same object (forms
    // that offer field names do not re-render several times a second).
    const sampled = s().sampled;
    const seen = s().tap!.seen;
    await until(() => s().tap!.seen > seen);
    expect(s().sampled).toBe(sampled);
    s().addSampled({ 'enrich.out->byUser.in': ['value', 'extra'] });
    expect(s().sampled).not.toBe(sampled);
    expect(s().sampled['enrich.out->byUser.in']).toContain('extra');
    await s().pauseTap(true);
    const frozen = s().tap!.rows.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(s().tap!.rows.length).toBe(frozen);
    await s().pauseTap(false);
    await until(() => s().tap!.rows.length > frozen || s().tap!.rows.length === 100);

    // An edge drawn while running is not in the running job: tapping it says so, nothing throws.
    s().addNode('sink.console', { x: 1040, y: 300 });
    expect(s().connect({ source: 'clicks', sourceHandle: 'out', target: 'consoleSink', targetHandle: 'in' })).toBeNull();
    await s().openTap('clicks.out->consoleSink.in');
    expect(s().notice).toMatchObject({ kind: 'error', text: 'cannot tap clicks.out → consoleSink.in: no edge clicks.out->consoleSink.in in the running pipeline' });
    expect(s().tap).toMatchObject({ edge: 'clicks.out->consoleSink.in', tapId: null });

    await s().stop();
    await until(() => s().runStatus === 'stopped');
    expect(readFileSync(join(root, 'out/high-value-carts.jsonl'), 'utf8').length).toBeGreaterThan(0);
  });

  it('asks before running code, and runs once trusted', async () => {
    const { store } = connected();
    const s = () => store.getState();
    buildDemo(store);
    s().setParams('highValueCarts', { code: "return event.eventType === 'PURCHASE';" });
    s().setParams('clicks', { rate: 0, count: 500 });
    await s().run();
    expect(s().trustPrompt).toEqual({ reasons: ["node 'highValueCarts' contains JavaScript code, which runs with your permissions"] });
    expect(s().runStatus).toBe('idle');
    await s().trustAndRun();
    await until(() => s().runStatus === 'finished');
    expect(s().figures.clicks!.recordsOut).toBe(500);
  });

  it('says why when trusting or starting fails, and Run still works afterwards', async () => {
    // The trust store's folder is a file: trusting cannot be recorded.
    const { store, root, close } = connected('blocked/trust.json');
    writeFileSync(join(root, 'blocked'), '');
    const s = () => store.getState();
    buildDemo(store);
    s().setParams('highValueCarts', { code: "return event.eventType === 'PURCHASE';" });
    await s().run();
    expect(s().trustPrompt).toEqual({ reasons: ["node 'highValueCarts' contains JavaScript code, which runs with your permissions"] });
    await s().trustAndRun();
    expect(s().notice).toMatchObject({ kind: 'error', text: expect.stringMatching(/^cannot trust this pipeline: /) });
    expect(s().runStatus).toBe('idle');
    // The host goes away: the run call fails, and the editor does not sit in 'starting' for ever.
    close();
    await s().run();
    expect(s().runStatus).toBe('idle');
    expect(s().notice).toMatchObject({ kind: 'error', text: 'cannot run: the connection to the runtime host was lost' });
  });

  it('shows the host\'s problems when a run is refused, and a failed run\'s node', async () => {
    const { store } = connected();
    const s = () => store.getState();
    buildDemo(store);
    s().setParam('enrich', ['expression'], '{ x: price.a.b }');
    await s().run();
    await until(() => s().runStatus === 'failed');
    expect(s().runError?.nodeId).toBe('enrich');
    expect(s().notice?.kind).toBe('error');
  });

  it('opens a hand-formatted file clean (formatting is no unsaved change), and one that opening changed dirty', async () => {
    const { store, root } = connected();
    const s = () => store.getState();
    const doc = JSON.parse(readFileSync(join(PIPELINES_DIR, 'clickstream-demo.json'), 'utf8'));
    // One line, keys in another order: as a person or another tool may write it.
    writeFileSync(join(root, 'compact.json'), JSON.stringify({ edges: doc.edges, nodes: doc.nodes, name: doc.name, format: doc.format }));
    expect(await s().openFile('compact.json')).toBe(true);
    expect(s().dirty).toBe(false);
    s().setLabel('clicks', 'Clicks');
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().dirty).toBe(false);
    // A node that is not an object does not survive opening: saving would change the file.
    writeFileSync(join(root, 'odd.json'), JSON.stringify({ ...doc, nodes: [...doc.nodes, 42] }));
    expect(await s().openFile('odd.json')).toBe(true);
    expect(s().dirty).toBe(true);
  });

  it('opens templates as new documents and refuses text that is not a pipeline', async () => {
    const { store } = connected();
    const s = () => store.getState();
    expect(await s().openTemplate('trending-products.json')).toBe(true);
    expect(s().origin).toEqual({ kind: 'template', name: 'trending-products.json' });
    // Opening a template is not an edit: nothing to discard when another one opens.
    expect(s().dirty).toBe(false);
    expect(await s().save()).toBe('needs-path');
    expect(s().problems).toEqual([]);
    expect(s().openText('[1,2]', { kind: 'new' })).toBe(false);
    expect(s().notice?.text).toMatch(/must be a JSON object/);
  });
});

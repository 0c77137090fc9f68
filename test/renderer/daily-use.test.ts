// The editor's store for daily use, against a real runtime host (no browser): run problems per
// node, banners tied to a run, templates playing live, window timing in the figures; and the plain
// models behind the frame (panes, level of detail).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../runtime/host/rpc.js';
import { serveHost } from '../../runtime/host/runtime-host.js';
import { TrustStore } from '../../runtime/host/trust.js';
import { Workspace } from '../../runtime/host/workspace.js';
import { LIVE_RATE, liveDoc } from '../../renderer/src/model/live.js';
import { DETAIL_ZOOM, lodScale, screenPx } from '../../renderer/src/model/lod.js';
import { DEFAULT_PANES, gridTemplate, LIMITS, loadPanes, resize, toggle } from '../../renderer/src/model/panes.js';
import { runProblemRows, runProblemsFromFigures } from '../../renderer/src/model/run-problems.js';
import { createEditorStore, type EditorStore } from '../../renderer/src/store/store.js';
import { channelPair } from '../support/memory-channel.js';

const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

function connected(): EditorStore {
  const root = mkdtempSync(join(tmpdir(), 'tributary-daily-'));
  const [a, b, close] = channelPair();
  const host = serveHost(b, { workspace: new Workspace(root), version: 'test', trustStore: new TrustStore(join(root, '.trust.json')) });
  closers.push(() => {
    host.dispose();
    close();
  });
  return createEditorStore({ host: createClient(a), validateDelayMs: 0 });
}

const until = async (cond: () => boolean, ms = 15_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('run problems', () => {
  it('a failed run names its node with the record; the banner goes with a fix and the next run starts clean', async () => {
    const store = connected();
    const s = () => store.getState();
    expect(await s().openTemplate('clickstream-demo.json')).toBe(true);
    s().setParam('byUser', ['key'], 'customer.id');
    await s().run();
    await until(() => s().runStatus === 'failed');
    await until(() => (s().runProblems.byUser?.recent.length ?? 0) > 0);
    const p = s().runProblems.byUser!;
    expect(p.failure?.message).toMatch(/reading 'id'/);
    expect(p.errors).toBe(1);
    expect(JSON.parse(p.recent[0]!.record)).toMatchObject({ userId: expect.any(String) });
    expect(s().notice).toMatchObject({ kind: 'error', run: true });
    // An edit (the fix) takes the banner away; the panel keeps the record until the next run.
    s().setParam('byUser', ['key'], 'userId');
    expect(s().notice).toBeNull();
    expect(s().runProblems.byUser).toBeDefined();
    await s().run();
    expect(s().runProblems).toEqual({});
    expect(s().runError).toBeNull();
    await until(() => (s().figures.clicks?.recordsOut ?? 0) > 0);
    await s().stop();
    await until(() => s().runStatus === 'stopped');
    expect(s().runProblems).toEqual({});
  });

  it('records failing into an errors port are counted per node with the latest messages', async () => {
    const store = connected();
    const s = () => store.getState();
    await s().openTemplate('clickstream-demo.json');
    const sink = s().addNode('sink.console', { x: 0, y: 0 });
    expect(s().connect({ source: 'enrich', sourceHandle: 'errors', target: sink, targetHandle: 'in' })).toBeNull();
    s().setParam('enrich', ['expression'], '{ userId, code: nothere.x }');
    await s().run();
    await until(() => (s().runProblems.enrich?.errors ?? 0) >= 3);
    const p = s().runProblems.enrich!;
    expect(p.failure).toBeNull();
    expect(p.recent.length).toBeGreaterThan(0);
    expect(p.recent.length).toBeLessThanOrEqual(5);
    expect(p.recent[0]!.message).toMatch(/reading 'x'/);
    // Newest first.
    expect(p.recent.map((r) => r.at)).toEqual([...p.recent.map((r) => r.at)].sort((a, b) => b - a));
    expect(s().runStatus).toBe('running');
    await s().stop();
  });

  it('folds figures without churn when nothing changed', () => {
    const fig = { id: 'm', recordsIn: 1, recordsOut: 0, rateIn: 0, rateOut: 0, errors: 2, late: 0, watermark: null, stateKeys: 0, stateBytes: 0, recentErrors: [{ at: 5, message: 'boom', record: '{}' }] };
    const a = runProblemsFromFigures({}, [fig]);
    expect(a.m).toMatchObject({ errors: 2, recent: [{ message: 'boom' }] });
    expect(runProblemsFromFigures(a, [fig])).toBe(a);
    expect(runProblemsFromFigures(a, [{ ...fig, id: 'ok', errors: 0, recentErrors: undefined }])).toBe(a);
    expect(runProblemRows({ x: { errors: 9, recent: [], failure: null }, y: { errors: 1, recent: [], failure: { message: 'f', at: 1 } } }).map((r) => r.nodeId)).toEqual(['y', 'x']);
  });
});

describe('templates play live', () => {
  it('runs a bounded template endless at a watchable rate, and the document keeps its count', async () => {
    const store = connected();
    const s = () => store.getState();
    await s().openTemplate('trending-products.json');
    expect(s().dirty).toBe(false);
    const opened = s().text();
    await s().run();
    await until(() => (s().figures.clicks?.recordsOut ?? 0) > 0);
    // The file alone (200,000 events, unthrottled) ends within seconds; played live it goes on.
    await new Promise((r) => setTimeout(r, 4000));
    expect(s().runStatus).toBe('running');
    expect(s().figures.clicks!.recordsOut).toBeLessThan(LIVE_RATE * 20);
    // The window says when it fires next and how many windows are open.
    await until(() => (s().figures.trending?.window?.openWindows ?? 0) > 0);
    const w = s().figures.trending!.window!;
    expect(w.processingTime).toBe(false);
    expect(w.nextFire).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    expect(typeof s().figures.trending!.watermark).toBe('number');
    expect(w.nextFire).toBeGreaterThan(s().figures.trending!.watermark as number);
    await s().stop();
    await until(() => s().runStatus === 'stopped');
    expect(s().doc.nodes.find((n) => n.id === 'clicks')!.params!.count).toBe(200_000);
    expect(s().dirty).toBe(false);
    // What Save would write after the live run is the template as opened, bounded.
    expect(s().text()).toBe(opened);
  });

  it('liveDoc: bounded or unthrottled generators become endless and throttled; others are left alone', () => {
    const doc = (params: Record<string, unknown>) => ({ format: 'tributary.pipeline/v1', nodes: [{ id: 'g', type: 'source.generator', params }], edges: [] });
    expect(liveDoc(doc({ rate: 0, count: 10, eventTimeRate: 15 })).nodes[0]!.params).toEqual({ rate: LIVE_RATE, eventTimeRate: 15 });
    expect(liveDoc(doc({ rate: 0, count: 10 })).nodes[0]!.params).toEqual({ rate: LIVE_RATE, eventTimeRate: 1000 });
    expect(liveDoc(doc({ rate: 300, count: 10 })).nodes[0]!.params).toEqual({ rate: 300, eventTimeRate: 300 });
    const endless = doc({ rate: 2000, seed: 7 });
    expect(liveDoc(endless)).toBe(endless);
  });
});

describe('frame models', () => {
  it('panes resize within limits, toggle, and survive a bad stored value', () => {
    expect(resize(DEFAULT_PANES, 'inspector', 5).inspector).toBe(LIMITS.inspector[0]);
    expect(resize(DEFAULT_PANES, 'bottom', 10_000).bottom).toBe(LIMITS.bottom[1]);
    const hidden = toggle(toggle(DEFAULT_PANES, 'showPalette'), 'showBottom');
    expect(gridTemplate(hidden)).toEqual({ columns: `0px minmax(0, 1fr) ${DEFAULT_PANES.inspector}px`, rows: '42px minmax(0, 1fr) 30px 26px' });
    expect(loadPanes('{"palette": 9999, "showMinimap": false, "inspector": "x"}')).toEqual({ ...DEFAULT_PANES, palette: LIMITS.palette[1], showMinimap: false });
    expect(loadPanes('not json')).toBe(DEFAULT_PANES);
    expect(loadPanes(null)).toBe(DEFAULT_PANES);
  });

  it('canvas text (12 px and up at zoom 1) reads at 11 px or more from zoom 0.23 up', () => {
    for (let z = 0.23; z <= 2; z += 0.01) expect(screenPx(12, z), `zoom ${z}`).toBeGreaterThanOrEqual(11 - 1e-9);
    expect(lodScale(1)).toBe(1);
    expect(lodScale(DETAIL_ZOOM)).toBe(1);
    expect(lodScale(0.5)).toBe(2);
  });
});

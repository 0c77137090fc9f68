import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { type Doc, emptyDoc, setIn } from '../../renderer/src/model/doc.js';
import { addNode, checkConnection, copyFragment, newNodeId, pasteFragment, removeElements, renameNode } from '../../renderer/src/model/graph-ops.js';
import { emptyHistory, GROUP_MS, record, redo, undo } from '../../renderer/src/model/history.js';

function chain(...types: string[]): Doc {
  let doc = emptyDoc();
  const ids: string[] = [];
  for (const t of types) {
    const r = addNode(doc, REGISTRY, t, { x: ids.length * 100, y: 0 });
    doc = r.doc;
    ids.push(r.id);
  }
  for (let i = 1; i < ids.length; i++) doc = { ...doc, edges: [...doc.edges, { from: ids[i - 1]!, to: ids[i]! }] };
  return doc;
}

const conn = (source: string, target: string, sourceHandle: string | null = 'out', targetHandle: string | null = 'in') => ({ source, target, sourceHandle, targetHandle });

describe('graph edits', () => {
  it('names new nodes readably and uniquely, with the spec\'s example params', () => {
    const doc = chain('source.generator', 'filter', 'filter', 'sink.file');
    expect(doc.nodes.map((n) => n.id)).toEqual(['generatorSource', 'filter', 'filter2', 'fileSink']);
    expect(doc.nodes[1]!.params).toEqual(REGISTRY.get('filter')!.example);
    expect(doc.nodes[1]!.label).toBe('Filter');
    expect(newNodeId(doc, 'keyBy')).toBe('keyBy');
  });

  it('refuses connections with the reason', () => {
    const doc = chain('source.generator', 'filter', 'map', 'sink.file');
    const reason = (c: ReturnType<typeof conn>) => {
      const v = checkConnection(doc, REGISTRY, c);
      return v.ok ? null : v.reason;
    };
    expect(reason(conn('filter', 'filter'))).toMatch(/cannot feed itself/);
    expect(reason(conn('map', 'filter'))).toMatch(/takes one edge/);
    expect(reason(conn('generatorSource', 'filter'))).toMatch(/already connected/);
    expect(reason(conn('map', 'generatorSource', 'out', null))).toMatch(/has no inputs: it is a source/);
    expect(reason(conn('generatorSource', 'filter', 'late'))).toMatch(/no output 'late'/);
    // Remove filter → map so map's input is free, then try to close a loop.
    const open = removeElements(doc, [], ['filter.out->map.in']);
    // A file sink's only output is its errors port.
    expect((checkConnection(open, REGISTRY, conn('fileSink', 'map', 'out')) as { reason: string }).reason).toMatch(/has no output 'out'/);
    const loopy = { ...open, edges: [...open.edges, { from: 'map', to: 'filter2' }] };
    const withF2 = { ...loopy, nodes: [...loopy.nodes, { id: 'filter2', type: 'filter', params: { condition: 'true' } }] };
    expect(checkConnection(withF2, REGISTRY, conn('filter2', 'map')).ok).toBe(false);
    expect((checkConnection(withF2, REGISTRY, conn('filter2', 'map')) as { reason: string }).reason).toMatch(/cycle/);
    // Side outputs and multi-input sinks are fine.
    const v = checkConnection(doc, REGISTRY, conn('filter', 'fileSink', 'errors'));
    expect(v).toEqual({ ok: true, edge: { from: 'filter', fromPort: 'errors', to: 'fileSink' } });
  });

  it('deletes nodes with their edges, renames across edges, refuses bad ids', () => {
    const doc = chain('source.generator', 'filter', 'sink.file');
    expect(removeElements(doc, ['filter'], []).edges).toEqual([]);
    const r = renameNode(doc, 'filter', 'carts');
    expect('doc' in r && r.doc.edges).toEqual([{ from: 'generatorSource', to: 'carts' }, { from: 'carts', to: 'fileSink' }]);
    expect(renameNode(doc, 'filter', '1x')).toEqual({ reason: expect.stringMatching(/starts with a letter/) });
    expect(renameNode(doc, 'filter', 'fileSink')).toEqual({ reason: "there is already a node 'fileSink'" });
  });

  it('copies nodes with the edges between them and pastes them under fresh ids', () => {
    const doc = chain('source.generator', 'filter', 'sink.file');
    const frag = copyFragment(doc, ['filter', 'fileSink']);
    expect(frag.edges).toEqual([{ from: 'filter', to: 'fileSink' }]);
    const { doc: after, ids } = pasteFragment(doc, frag, 40);
    expect(ids).toEqual(['filter2', 'fileSink2']);
    expect(after.edges.at(-1)).toEqual({ from: 'filter2', to: 'fileSink2' });
    expect(after.nodes.find((n) => n.id === 'filter2')!.position).toEqual({ x: 140, y: 40 });
  });

  it('sets nested values immutably and removes undefined ones', () => {
    const params = { assigner: { kind: 'tumbling', size: '1m' } };
    const next = setIn(params, ['assigner', 'size'], '5m');
    expect(next).toEqual({ assigner: { kind: 'tumbling', size: '5m' } });
    expect(params.assigner.size).toBe('1m');
    expect(setIn(next, ['assigner', 'size'], undefined)).toEqual({ assigner: { kind: 'tumbling' } });
    expect(setIn({ a: [1, 2, 3] }, ['a', 1], undefined)).toEqual({ a: [1, 3] });
  });
});

describe('undo history', () => {
  it('groups edits with the same key that follow closely, and nothing else', () => {
    let h = emptyHistory<string>();
    h = record(h, 'a', 'type:x', 0);
    h = record(h, 'ab', 'type:x', 500);
    h = record(h, 'abc', 'type:x', 500 + GROUP_MS + 1);
    h = record(h, 'abcd', null, 5000);
    h = record(h, 'abcde', null, 5001);
    expect(h.past).toEqual(['a', 'abc', 'abcd', 'abcde']);
    const u = undo(h, 'abcdef')!;
    expect(u.present).toBe('abcde');
    const r = redo(u.history, u.present)!;
    expect(r.present).toBe('abcdef');
    expect(undo(emptyHistory<string>(), 'x')).toBeNull();
  });
});

describe('named input ports (two-input nodes)', () => {
  it('connects each side to its own handle, writes toPort, and refuses a second edge into one side', () => {
    let doc = chain('source.generator', 'keyBy');
    const b = addNode(doc, REGISTRY, 'keyBy', { x: 0, y: 100 });
    doc = { ...b.doc, edges: [...b.doc.edges, { from: 'generatorSource', to: b.id }] };
    const j = addNode(doc, REGISTRY, 'join.interval', { x: 300, y: 0 });
    doc = j.doc;
    const left = checkConnection(doc, REGISTRY, conn('keyBy', j.id, 'out', 'left'));
    expect(left.ok && left.edge).toEqual({ from: 'keyBy', to: j.id, toPort: 'left' });
    if (!left.ok) return;
    doc = { ...doc, edges: [...doc.edges, left.edge] };
    const right = checkConnection(doc, REGISTRY, conn(b.id, j.id, 'out', 'right'));
    expect(right.ok && right.edge).toEqual({ from: b.id, to: j.id, toPort: 'right' });
    const again = checkConnection(doc, REGISTRY, conn(b.id, j.id, 'out', 'left'));
    expect(again.ok ? null : again.reason).toMatch(/input 'left' of .* takes one edge/);
    const none = checkConnection(doc, REGISTRY, conn(b.id, j.id, 'out', 'in'));
    expect(none.ok ? null : none.reason).toMatch(/has no input 'in'/);
  });
});

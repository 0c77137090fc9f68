import { describe, expect, it } from 'vitest';
import { RecordCopier } from '../../../runtime/nodes/infer/operator.js';

describe('RecordCopier', () => {
  it('copies every field in order, adds the outputs, and never changes the input', () => {
    const c = new RecordCopier(['p', 'modelVersion']);
    const rec = JSON.parse('{"id":1,"a":2.5,"b":"x"}') as Record<string, unknown>;
    const o = c.copy(rec);
    o.p = 0.7;
    o.modelVersion = 'v1';
    expect(Object.keys(o)).toEqual(['id', 'a', 'b', 'p', 'modelVersion']);
    expect(o).toEqual({ id: 1, a: 2.5, b: 'x', p: 0.7, modelVersion: 'v1' });
    expect(rec).toEqual({ id: 1, a: 2.5, b: 'x' });
  });

  it('follows records whose fields change (more, fewer, reordered) without stale fields', () => {
    const c = new RecordCopier(['p']);
    expect(c.copy({ id: 1, a: 2 })).toEqual({ id: 1, a: 2, p: null });
    expect(c.copy({ id: 2 })).toEqual({ id: 2, p: null });
    expect(c.copy({ id: 3, a: 1, extra: true })).toEqual({ id: 3, a: 1, extra: true, p: null });
    expect(Object.keys(c.copy({ a: 1, id: 4 }))).toEqual(['a', 'id', 'p']);
    expect(c.copy({ id: 5, a: 2 })).toEqual({ id: 5, a: 2, p: null });
  });

  it('keeps an input field that an output overwrites in its place', () => {
    const c = new RecordCopier(['score']);
    const o = c.copy({ score: 1, id: 7 });
    expect(Object.keys(o)).toEqual(['score', 'id']);
    expect(o.score).toBe(1);
  });

  it('copies records with many fields', () => {
    const rec: Record<string, number> = {};
    for (let j = 0; j < 40; j++) rec[`f${j}`] = j + 0.5;
    const c = new RecordCopier(['p']);
    for (let n = 0; n < 3; n++) expect(c.copy(rec)).toEqual({ ...rec, p: null });
  });
});

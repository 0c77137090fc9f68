// The engine's one binary heap: java.util.PriorityQueue's algorithm (CEP relies on its tie order),
// and the priority + insertion-order MinHeap that timers and window firings use.
import { describe, expect, it } from 'vitest';
import { Heap, MinHeap } from '../../runtime/engine/heap.js';

type Item = { k: number; name: string };
const byK = (x: Item, y: Item) => x.k < y.k;

function drain<T>(h: Heap<T>): T[] {
  const out: T[] = [];
  while (h.size > 0) out.push(h.pop()!);
  return out;
}

describe('Heap (java.util.PriorityQueue semantics)', () => {
  it('pops in order and keeps the array layout PriorityQueue.offer would', () => {
    const h = new Heap<number>((x, y) => x < y);
    for (const v of [5, 3, 8, 1, 9, 2]) h.push(v);
    // offer 5,3,8,1,9,2 into a java.util.PriorityQueue<Integer> gives this backing array
    expect(h.items).toEqual([1, 3, 2, 5, 9, 8]);
    expect(drain(h)).toEqual([1, 2, 3, 5, 8, 9]);
    expect(h.pop()).toBeUndefined();
    expect(h.peek()).toBeUndefined();
  });

  it('breaks ties as PriorityQueue does: not first-in-first-out', () => {
    const h = new Heap<Item>(byK);
    for (const name of ['a', 'b', 'c']) h.push({ k: 1, name });
    // poll() moves the last element to the root and stops at an equal child
    expect(drain(h).map((i) => i.name)).toEqual(['a', 'c', 'b']);
  });

  it('removeWhere keeps survivors in array order, re-heapifies, and reports whether it removed', () => {
    const h = new Heap<number>((x, y) => x < y);
    for (const v of [1, 4, 2, 7, 5, 3, 6]) h.push(v);
    expect(h.removeWhere((v) => v > 10)).toBe(false);
    const before = [...h.items];
    expect(h.removeWhere((v) => v > 10)).toBe(false);
    expect(h.items).toEqual(before);
    expect(h.removeWhere((v) => v % 2 === 0)).toBe(true);
    expect(drain(h)).toEqual([1, 3, 5, 7]);
  });

  it('stays ordered under random pushes, pops and removals', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const h = new Heap<number>((x, y) => x < y);
    const model: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const r = rnd();
      if (r < 0.55) {
        const v = Math.floor(rnd() * 100);
        h.push(v);
        model.push(v);
      } else if (r < 0.95) {
        model.sort((x, y) => x - y);
        expect(h.pop()).toBe(model.shift());
      } else {
        const cut = Math.floor(rnd() * 100);
        h.removeWhere((v) => v > cut);
        for (let j = model.length - 1; j >= 0; j--) if (model[j]! > cut) model.splice(j, 1);
      }
      expect(h.size).toBe(model.length);
    }
  });
});

describe('MinHeap (priority, then insertion order)', () => {
  it('orders by priority and breaks ties first in, first out', () => {
    const h = new MinHeap<string>();
    h.push(2, 'x');
    h.push(1, 'a');
    h.push(1, 'b');
    h.push(1, 'c');
    h.push(0, 'z');
    expect(h.peekPriority()).toBe(0);
    const out: string[] = [];
    while (h.size > 0) out.push(h.pop()!);
    expect(out).toEqual(['z', 'a', 'b', 'c', 'x']);
    expect(h.peekPriority()).toBe(Infinity);
  });

  it('removeWhere drops values and keeps the rest in order', () => {
    const h = new MinHeap<string>();
    for (const [p, v] of [[3, 'c'], [1, 'a'], [2, 'b'], [1, 'a2']] as const) h.push(p, v);
    h.removeWhere((v) => v === 'a');
    expect(h.entries().map((e) => e.value).sort()).toEqual(['a2', 'b', 'c']);
    expect([h.pop(), h.pop(), h.pop()]).toEqual(['a2', 'b', 'c']);
  });
});

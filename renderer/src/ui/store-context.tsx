// The one editor store, handed to components through context; components read it with selectors
// so a figure changing on one node re-renders that node only.
import { createContext, startTransition, useContext, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { EditorState, EditorStore } from '../store/store.js';
import type { Registry } from '../../../runtime/nodes/registry.js';

export const StoreContext = createContext<{ store: EditorStore; registry: Registry } | null>(null);

export function useEditorStore(): EditorStore {
  const ctx = useContext(StoreContext);
  if (!ctx) throw new Error('no editor store');
  return ctx.store;
}

export function useRegistry(): Registry {
  return useContext(StoreContext)!.registry;
}

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

/**
 * Like `useEditor`, but updates render as a transition: React may interrupt them to handle input,
 * so live figures on hundreds of nodes never hold up a pan or a zoom. For values that change
 * several times a second and need not be on screen in the very same frame.
 */
export function useLiveEditor<T>(selector: (s: EditorState) => T, deps: readonly unknown[] = []): T {
  const store = useEditorStore();
  const [value, setValue] = useState(() => selector(store.getState()));
  useEffect(() => {
    let last = selector(store.getState());
    setValue(() => last);
    return store.subscribe((s) => {
      const next = selector(s);
      if (Object.is(next, last)) return;
      last = next;
      startTransition(() => setValue(() => next));
    });
    // Subscribed once per store and `deps`; re-subscribing on every render would be waste.
  }, [store, ...deps]);
  return value;
}

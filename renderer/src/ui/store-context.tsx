// The one editor store, handed to components through context; components read it with selectors
// so a figure changing on one node re-renders that node only.
import { createContext, useContext } from 'react';
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

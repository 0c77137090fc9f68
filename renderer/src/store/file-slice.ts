// Files through the host: open a workspace file or a template, save, save as. (Export and drop-to-
// open need no host: the UI hands the text over directly.)
import type { ModelInfo, OpenedDoc } from '../../../runtime/host/contract.js';
import { liveDoc, playsLive } from '../model/live.js';
import type { Deps, Get, Set } from './types.js';

export type SaveOutcome = 'saved' | 'needs-path' | 'exists' | 'failed';

export interface FileSlice {
  openFile(path: string): Promise<boolean>;
  openTemplate(name: string): Promise<boolean>;
  save(): Promise<SaveOutcome>;
  saveAs(path: string, overwrite?: boolean): Promise<SaveOutcome>;
  /** An ONNX model's inputs, outputs and metadata, `path` relative to the document's folder (rejects with the host's reason). */
  modelInfo(path: string): Promise<ModelInfo>;
}

export function fileSlice(_set: Set, get: Get, deps: Deps): FileSlice {
  const host = () => {
    if (!deps.host) throw new Error('not connected to the runtime host');
    return deps.host;
  };
  const fail = (err: unknown) => {
    get().notify(err instanceof Error ? err.message : String(err), 'error');
    return false as const;
  };
  const open = async (read: () => Promise<OpenedDoc>) => {
    try {
      const d = await read();
      return get().openText(d.text, d.origin);
    } catch (err) {
      return fail(err);
    }
  };
  return {
    openFile: (path) => open(() => host().call('readFile', { path })),
    openTemplate: (name) => open(() => host().call('openTemplate', { name })),
    // The document goes along so a trusted one may name a model outside its folder (as its run
    // may); it is the text a run sends, whose hash the trust store knows.
    modelInfo: (path) => host().call('modelInfo', { origin: get().origin, path, doc: playsLive(get().origin) ? liveDoc(get().doc) : get().doc }),
    async save() {
      const origin = get().origin;
      if (origin.kind !== 'file') return 'needs-path';
      return get().saveAs(origin.path, true);
    },
    async saveAs(path, overwrite = false) {
      const p = path.endsWith('.json') ? path : `${path}.json`;
      const text = get().text();
      try {
        const r = await host().call('writeFile', { path: p, text, overwrite });
        get().markSaved(text, { kind: 'file', path: r.path });
        get().notify(`saved ${r.path}`);
        return 'saved';
      } catch (err) {
        if (err instanceof Error && /already exists/.test(err.message)) return 'exists';
        fail(err);
        return 'failed';
      }
    },
  };
}

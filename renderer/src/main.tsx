// The editor's entry point: connect to the runtime host, build the store, open what the host says
// to open (the file `tributary studio` was given), render.
import '@xyflow/react/dist/style.css';
import './ui/styles.css';
import './editor/monaco-setup.js';
import { createRoot } from 'react-dom/client';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import type { HostClient } from '../../runtime/host/rpc.js';
import { connectHost } from './connection/connect.js';
import { attachDesktop, desktopApi } from './connection/desktop.js';
import { createEditorStore } from './store/store.js';
import { App } from './ui/App.js';
import { StoreContext } from './ui/store-context.js';

async function start(): Promise<void> {
  let host: HostClient | null = null;
  let problem: string | null = null;
  try {
    host = await connectHost();
  } catch (err) {
    problem = (err as Error).message;
  }
  const store = createEditorStore({ host, registry: REGISTRY });
  const desktop = desktopApi();
  if (desktop) attachDesktop(store, desktop, host);
  if (host) {
    const info = await host.call('hello', {});
    if (info.initial) store.getState().openText(info.initial.text, info.initial.origin);
  }
  if (problem) store.getState().notify(`${problem}; editing works, running does not`, 'error');
  // For the end-to-end tests and the curious: the store, read-only in spirit.
  (window as unknown as { tributary: unknown }).tributary = { store };
  createRoot(document.getElementById('root')!).render(
    <StoreContext.Provider value={{ store, registry: REGISTRY }}>
      <App host={host} />
    </StoreContext.Provider>,
  );
}

void start();

// Connects the editor to its runtime host. In browser mode that is a WebSocket back to the page's
// own server, with the per-launch token from the page URL's fragment; the desktop app's preload
// offers the same wire messages as `window.tributaryHost` (over IPC to the main process, which
// relays them to the host's own process: runtime/host/contract-desktop.ts).
import { type Channel, createClient, type HostClient, type WireMessage } from '../../../runtime/host/rpc.js';

declare global {
  interface Window {
    /** Provided by the desktop app's preload: the contract's channel. */
    tributaryHost?: Channel;
  }
}

function webSocketChannel(url: string): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.addEventListener('error', () => reject(new Error('cannot reach the runtime host')), { once: true });
    ws.addEventListener('open', () =>
      resolve({
        send: (msg: WireMessage) => ws.send(JSON.stringify(msg)),
        onMessage(fn) {
          const l = (e: MessageEvent) => {
            if (typeof e.data === 'string') fn(JSON.parse(e.data) as WireMessage);
          };
          ws.addEventListener('message', l);
          return () => ws.removeEventListener('message', l);
        },
        onClose: (fn) => ws.addEventListener('close', (e) => fn(e.reason || undefined)),
      }),
    );
  });
}

export async function connectHost(): Promise<HostClient> {
  if (window.tributaryHost) return createClient(window.tributaryHost);
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) throw new Error('this page needs the token from the URL `tributary studio` printed');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc?token=${encodeURIComponent(token)}`;
  return createClient(await webSocketChannel(url));
}

// The fetch thread of a Kafka source: runs the Kafka client's reader (its fetch loop, protocol
// decoding and decompression, and their garbage) off the operator thread, and answers each poll
// with the messages packed into transferred buffers (packed.ts). One request at a time is served,
// in the order they came, so a commit is never overtaken by a later poll.
import { parentPort, workerData } from 'node:worker_threads';
import { pack, transferables } from './packed.js';
import { wire, type FetchRequest, type FetchReply } from './reader-protocol.js';
import type { KafkaDriver, KafkaDriverName, KafkaReader } from './types.js';

/**
 * Only the client asked for is loaded (driver.ts loads both): @platformatic/kafka alone takes about
 * half a second to import, which a kafkajs fetch thread would otherwise spend before its first fetch.
 */
const DRIVERS: Readonly<Record<KafkaDriverName, () => Promise<KafkaDriver>>> = {
  kafkajs: async () => (await import('./kafkajs-driver.js')).kafkajsDriver,
  platformatic: async () => (await import('./platformatic-driver.js')).platformaticDriver,
};

/** The client the thread was started for, loading while the source makes its start-up requests. */
const loading = new Map<KafkaDriverName, Promise<KafkaDriver>>();
function load(name: KafkaDriverName): Promise<KafkaDriver> {
  let p = loading.get(name);
  if (p === undefined) loading.set(name, (p = DRIVERS[name]()));
  return p;
}
const preferred = (workerData as { driver?: KafkaDriverName } | null)?.driver;
// A failed load is reported by the 'open' that awaits it.
if (preferred !== undefined) load(preferred).catch(() => {});

let reader: KafkaReader | null = null;
let tail: Promise<void> = Promise.resolve();

async function serve(req: FetchRequest): Promise<void> {
  let reply: FetchReply;
  try {
    switch (req.op) {
      case 'open':
        reader = await (await load(req.driver)).reader(req.conn, req.opts);
        reply = { id: req.id };
        break;
      case 'poll': {
        const polled = pack(await reader!.poll(req.maxWaitMs, req.maxMessages), req.parse);
        parentPort!.postMessage({ id: req.id, polled } satisfies FetchReply, transferables(polled));
        return;
      }
      case 'pause':
        reader!.pause(req.partitions);
        reply = { id: req.id };
        break;
      case 'commit':
        await reader!.commit(req.offsets);
        reply = { id: req.id };
        break;
      case 'close': {
        const r = reader;
        reader = null;
        await r?.close();
        reply = { id: req.id };
        break;
      }
    }
  } catch (err) {
    reply = { id: req.id, error: wire(err) };
  }
  parentPort!.postMessage(reply);
}

parentPort!.on('message', (req: FetchRequest) => {
  tail = tail.then(() => serve(req));
});
parentPort!.postMessage('ready');

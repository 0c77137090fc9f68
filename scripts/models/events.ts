// Training data for scripts/models/train.py: the clickstream generator's events as JSON lines on
// stdout, exactly as a pipeline's source.generator with the same params emits them.
// Usage: node dist/scripts/models/events.js '{"seed": 1, "count": 400000, ...}'
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { type ClickEvent, EcommerceGenerator } from '../../runtime/nodes/source-generator/ecommerce.js';
import { parseDuration } from '../../runtime/format/duration.js';

const p = REGISTRY.get('source.generator')!.params.parse(JSON.parse(process.argv[2] ?? '{}')) as Record<string, any>;
if (p.count === undefined) throw new Error('give a count');
const gen = new EcommerceGenerator({
  seed: p.seed,
  users: p.users,
  products: p.products,
  categories: p.categories,
  abandonment: p.abandonment,
  startTime: typeof p.startTime === 'number' ? p.startTime : Date.parse(p.startTime),
  eventTimeRate: p.eventTimeRate ?? (p.rate > 0 ? p.rate : 1000),
  disorder: parseDuration(p.disorder)!,
});

const CHUNK = 10_000;
let left: number = p.count;
const write = (s: string) => new Promise<void>((r) => (process.stdout.write(s) ? r() : process.stdout.once('drain', () => r())));
while (left > 0) {
  const events: ClickEvent[] = [];
  gen.fill(events, [], Math.min(CHUNK, left));
  left -= events.length;
  if (events.length === 0) break;
  await write(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

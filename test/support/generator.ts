// The events a pipeline's generator node produces, rebuilt from its params, so a pipeline's output
// can be checked against the stated rules applied to its input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from '../../runtime/format/duration.js';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { type ClickEvent, EcommerceGenerator } from '../../runtime/nodes/source-generator/ecommerce.js';
import { PIPELINES_DIR } from './pipelines.js';

/** The events of the first source.generator in pipelines/<file>, in emission order, and its watermark bound. */
export function generatorEvents(file: string): { events: ClickEvent[]; disorder: number } {
  const doc = JSON.parse(readFileSync(join(PIPELINES_DIR, file), 'utf8'));
  const node = doc.nodes.find((n: { type: string }) => n.type === 'source.generator');
  const p = REGISTRY.get('source.generator')!.params.parse(node.params) as Record<string, any>;
  const disorder = parseDuration(p.disorder)!;
  const gen = new EcommerceGenerator({
    seed: p.seed,
    users: p.users,
    products: p.products,
    categories: p.categories,
    abandonment: p.abandonment,
    startTime: typeof p.startTime === 'number' ? p.startTime : Date.parse(p.startTime),
    eventTimeRate: p.eventTimeRate ?? (p.rate > 0 ? p.rate : 1000),
    disorder,
  });
  const events: ClickEvent[] = [];
  gen.fill(events, [], p.count);
  return { events, disorder };
}

import { z } from 'zod';
import { duration } from '../../format/params.js';
import { defineNode } from '../spec.js';
import { ECOMMERCE_FIELDS } from './ecommerce.js';

export const sourceGeneratorSpec = defineNode({
  type: 'source.generator',
  title: 'Clickstream generator',
  category: 'source',
  doc: 'A synthetic e-commerce clickstream, deterministic for a `seed`: users in interleaved sessions browse a catalogue (VIEW, CLICK), add to and remove from their cart, then buy or abandon it. Records carry event time in `ts` with a little disorder (at most `disorder`), and the watermark trails by exactly that bound, so no record is late. With `count` it ends (and the final watermark closes every window); without, it runs until stopped.',
  params: z.strictObject({
    preset: z.enum(['ecommerce']).default('ecommerce').meta({ description: 'Kind of traffic; `ecommerce` is a shop\'s clickstream.' }),
    rate: z
      .number()
      .nonnegative()
      .max(10_000_000)
      .refine((r) => r === 0 || r >= 0.001, { message: 'a rate below 0.001 events per second (one every 17 minutes) is not a throttle; use 0 to run unthrottled, or a count' })
      .default(1000)
      .meta({ description: 'Events per second of wall-clock time, from 0.001 to 10,000,000; 0 runs unthrottled.' }),
    count: z.number().int().positive().optional().meta({ description: 'Stop after this many events. Unset: endless.' }),
    seed: z.number().int().default(42).meta({ description: 'Same seed and params, same events.' }),
    users: z.number().int().positive().max(10_000_000)
      .default(10_000).meta({ description: 'Distinct users.' }),
    products: z.number().int().positive().max(1_000_000)
      .default(1_000).meta({ description: 'Catalogue size; popularity is skewed, with a slowly drifting set of hot products.' }),
    categories: z.number().int().positive().max(100).default(12).meta({ description: 'Product categories.' }),
    abandonment: z.number().min(0).max(1).default(0.7).meta({ description: 'Share of sessions with a non-empty cart that leave without buying.' }),
    startTime: z.union([z.number().min(-8.64e15).max(8.64e15), z.string().datetime({ offset: true })]).default('2026-01-01T00:00:00Z').meta({ description: 'Event time of the first event: epoch milliseconds or ISO-8601.' }),
    eventTimeRate: z.number().min(0.001).max(1e9).optional().meta({ description: 'Events per second of event time (how busy the simulated shop is). Unset: equal to `rate`, or 1000 when unthrottled.' }),
    disorder: duration('Largest amount by which an event\'s timestamp trails the newest one seen; also the watermark\'s out-of-orderness bound.').default('2s'),
  }),
  inputs: [],
  outputs: [{ name: 'out', doc: 'Clickstream events.' }],
  keyed: 'none',
  keyOutput: 'clear',
  flinkExport: true,
  fields: ECOMMERCE_FIELDS,
  example: { preset: 'ecommerce', rate: 1000, seed: 42 },
});

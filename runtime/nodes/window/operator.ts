// Picks the window flavour for the assigner.
import { parseDuration } from '../../format/duration.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { ParamsOf } from '../spec.js';
import { CountWindows } from './count.js';
import { PaneWindows } from './panes.js';
import { SessionWindows } from './sessions.js';
import { signedDuration, type windowSpec } from './spec.js';

export const createWindow: OperatorFactory<ParamsOf<typeof windowSpec>> = (ctx, p) => {
  const a = p.assigner;
  const lateness = parseDuration(p.allowedLateness)!;
  switch (a.kind) {
    case 'tumbling': {
      const size = parseDuration(a.size)!;
      return { operator: new PaneWindows(ctx, p.aggregates, p.time, lateness, { size, slide: size, offset: signedDuration(a.offset)! }) };
    }
    case 'sliding':
      return { operator: new PaneWindows(ctx, p.aggregates, p.time, lateness, { size: parseDuration(a.size)!, slide: parseDuration(a.slide)!, offset: signedDuration(a.offset)! }) };
    case 'session':
      return { operator: new SessionWindows(ctx, p.aggregates, p.time, lateness, parseDuration(a.gap)!) };
    case 'global':
      return { operator: new CountWindows(ctx, p.aggregates, a.count) };
  }
};

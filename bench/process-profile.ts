// Where a session-recommendations event's time goes: a V8 CPU profile of the pipeline's run (setup
// left out), its samples' self time grouped by what the code is (the process code, each kind of
// keyed state, timers, the engine around them, garbage collection) and turned into CPU µs per
// event. Self time means a function's own samples: what V8 inlines into the process code (list
// reads, timer calls) counts as the process code, so the groups are a floor for the state and an
// upper bound for the code.
import { Session } from 'node:inspector/promises';

/** One group's share of the profile and its cost per event. */
export interface CostLine {
  group: string;
  share: number;
  usPerEvent: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Groups, first match wins: [name, test on "functionName url"]. */
const GROUPS: [string, RegExp][] = [
  ['garbage collection', /^\(garbage collector\) /],
  // Functions made by `new Function` have neither a name nor a script URL in the profile.
  ['process code (user functions, with what V8 inlines)', /^ $/],
  ['map state (co-view counts, top-5 index)', /state\/(heap-map|top-index)\.js$/],
  ['list state (recent views)', /state\/heap-list\.js$/],
  ['value state', /state\/(heap-value|heap-state)\.js$/],
  ['key lookup (current key’s state slots)', /state\/heap-backend\.js$/],
  ['timers', /(state\/(timers|timer-queue)|engine\/heap|process\/host-calls)\.js$/],
  ['process operator and ctx', /nodes\/process\/(operator|context)\.js$/],
  ['engine: batch loop, keyBy, emit', /(engine\/|nodes\/keyby\/|nodes\/operators)/],
  ['bench source and sink', /bench\//],
];
const OTHER = 'other (idle, program, runtime)';

/** Runs `work` under the CPU profiler; returns the cost per event of each group over `events`. */
export async function profiled(work: () => Promise<unknown>, events: () => number): Promise<CostLine[]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  const cpu0 = process.cpuUsage();
  await session.post('Profiler.start');
  await work();
  const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
  const cpu = process.cpuUsage(cpu0);
  session.disconnect();
  const byId = new Map<number, string>();
  for (const n of profile.nodes) byId.set(n.id, groupOf(`${n.callFrame.functionName} ${n.callFrame.url}`));
  const time = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const d = profile.timeDeltas[i] ?? 0;
    const g = byId.get(profile.samples[i]!) ?? OTHER;
    time.set(g, (time.get(g) ?? 0) + d);
    total += d;
  }
  const usPerEvent = (cpu.user + cpu.system) / Math.max(1, events());
  return [...GROUPS.map(([g]) => g), OTHER].map((group) => {
    const share = total === 0 ? 0 : (time.get(group) ?? 0) / total;
    return { group, share, usPerEvent: share * usPerEvent };
  });
}

function groupOf(frame: string): string {
  for (const [g, re] of GROUPS) if (re.test(frame)) return g;
  return OTHER;
}

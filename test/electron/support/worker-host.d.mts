import type { Worker } from 'node:worker_threads';
import type { HostProcessConfig } from '../../../electron/host-process.js';
import type { LaunchHost } from '../../../runtime/host/host-supervisor.js';

export function workerHosts(config: HostProcessConfig, entry: string): { launch: LaunchHost; launched: Worker[] };

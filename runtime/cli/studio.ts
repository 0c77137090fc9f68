// `tributary studio [pipeline.json]`: the editor in the default browser, backed by a runtime host
// in this process. Serves 127.0.0.1 only; the printed URL carries the per-launch token.
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import open from 'open';
import { RENDERER_DIR, VERSION } from '../host/install.js';
import { Workspace } from '../host/workspace.js';
import { serveStudio, StudioError, type StudioServer } from '../host/ws-server.js';
import type { Io } from './main.js';

export interface StudioArgs {
  readonly file?: string;
  readonly port: number;
  readonly open: boolean;
}

export async function startStudio(args: StudioArgs, io: Io): Promise<StudioServer | null> {
  if (!existsSync(resolve(RENDERER_DIR, 'index.html'))) {
    io.stderr.write(`tributary: the editor is not built (${RENDERER_DIR} is missing): run \`npm run build\`\n`);
    return null;
  }
  // The pipeline's folder is the workspace; a file that does not exist yet opens empty, and saving creates it.
  const abs = args.file === undefined ? null : resolve(args.file);
  const root = abs ? dirname(abs) : process.cwd();
  if (abs && !abs.endsWith('.json')) {
    io.stderr.write(`tributary: ${args.file}: pipeline files end in .json\n`);
    return null;
  }
  let server: StudioServer;
  try {
    server = await serveStudio({ workspace: new Workspace(root), staticDir: RENDERER_DIR, version: VERSION, initialFile: abs ? basename(abs) : null, port: args.port });
  } catch (err) {
    if (!(err instanceof StudioError)) throw err;
    io.stderr.write(`tributary: ${err.message}\n`);
    return null;
  }
  io.stderr.write(`Tributary studio: ${server.url}\n(workspace ${root}; Ctrl-C stops)\n`);
  if (args.open) {
    open(server.url).catch((err: unknown) => io.stderr.write(`could not open a browser (${String(err)}); open the URL above\n`));
  }
  return server;
}

/** Run until interrupted; running jobs stop and flush their sinks first. */
export async function runStudio(args: StudioArgs, io: Io): Promise<number> {
  const server = await startStudio(args, io);
  if (!server) return 1;
  await new Promise<void>((resolveStop) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      io.stderr.write('\nstopping studio\n');
      server.close().then(resolveStop, resolveStop);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

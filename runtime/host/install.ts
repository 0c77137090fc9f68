// Where this installation keeps what it ships beside the code: the template gallery (pipelines/)
// and the built editor (dist/renderer/). Found by walking up to the package's own package.json, so
// it works from the compiled CLI (dist/runtime/host) and from sources under test alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'tributary') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the tributary installation folder');
    dir = up;
  }
}

export const INSTALL_DIR = findRoot();
export const TEMPLATES_DIR = join(INSTALL_DIR, 'pipelines');
export const RENDERER_DIR = join(INSTALL_DIR, 'dist', 'renderer');
export const VERSION: string = JSON.parse(readFileSync(join(INSTALL_DIR, 'package.json'), 'utf8')).version;

// The application menu as data: every item the issue lists, its accelerator, and what a click does.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { type MenuActions, menuTemplate, recentLabel } from '../../electron/menu.js';

function actions() {
  const calls: string[] = [];
  const record = (name: string) => (...args: unknown[]) => void calls.push(args.length ? `${name}(${args.join(',')})` : name);
  const a: MenuActions = {
    newDocument: record('new'),
    open: record('open'),
    openRecent: record('openRecent'),
    clearRecent: record('clearRecent'),
    save: record('save'),
    saveAs: record('saveAs'),
    exportJson: record('export'),
    run: record('run'),
    stop: record('stop'),
    validate: record('validate'),
  };
  return { a, calls };
}

function find(menu: MenuItemConstructorOptions[], path: string[]): MenuItemConstructorOptions {
  let items = menu;
  let found: MenuItemConstructorOptions | undefined;
  for (const label of path) {
    found = items.find((i) => i.label === label);
    if (!found) throw new Error(`no menu item ${path.join(' › ')} (at ${label})`);
    items = (found.submenu as MenuItemConstructorOptions[]) ?? [];
  }
  return found!;
}

const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();

describe('application menu', () => {
  it('has the file and run commands with their accelerators, and each click does its action', () => {
    const { a, calls } = actions();
    const menu = menuTemplate(a, [], { platform: 'linux', devTools: false });
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'Run', 'View', 'windowMenu']);
    const expected: [string[], string | undefined, string][] = [
      [['File', 'New'], 'CmdOrCtrl+N', 'new'],
      [['File', 'Open…'], 'CmdOrCtrl+O', 'open'],
      [['File', 'Save'], 'CmdOrCtrl+S', 'save'],
      [['File', 'Save As…'], 'CmdOrCtrl+Shift+S', 'saveAs'],
      [['File', 'Export JSON…'], 'CmdOrCtrl+E', 'export'],
      [['Run', 'Run'], 'F5', 'run'],
      [['Run', 'Stop'], 'Shift+F5', 'stop'],
      [['Run', 'Validate'], 'F8', 'validate'],
    ];
    for (const [path, accelerator, action] of expected) {
      const item = find(menu, path);
      expect(item.accelerator, path.join(' › ')).toBe(accelerator);
      click(item);
      expect(calls.at(-1)).toBe(action);
    }
    expect((find(menu, ['File']).submenu as MenuItemConstructorOptions[]).at(-1)).toEqual({ role: 'quit' });
    expect(find(menu, ['Edit']).submenu).toEqual(expect.arrayContaining([{ role: 'undo' }, { role: 'copy' }, { role: 'paste' }]));
  });

  it('Open Recent lists recent files newest first, opens them, and can be cleared; empty, it says so', () => {
    const { a, calls } = actions();
    const recent = ['/home/u/jobs/carts.json', '/home/u/other/carts.json'];
    const menu = menuTemplate(a, recent, { platform: 'linux', devTools: false });
    const items = find(menu, ['File', 'Open Recent']).submenu as MenuItemConstructorOptions[];
    expect(items.map((i) => i.label ?? i.type)).toEqual(['carts.json — /home/u/jobs', 'carts.json — /home/u/other', 'separator', 'Clear Recently Opened']);
    click(items[1]!);
    click(items[3]!);
    expect(calls).toEqual(['openRecent(/home/u/other/carts.json)', 'clearRecent']);
    const empty = find(menuTemplate(a, [], { platform: 'linux', devTools: false }), ['File', 'Open Recent']).submenu as MenuItemConstructorOptions[];
    expect(empty).toEqual([{ label: 'No Recent Files', enabled: false }]);
    expect(recentLabel('/a/b.json')).toBe('b.json — /a');
  });

  it('follows the platform: an app menu on macOS (Close instead of Quit in File); developer tools only unpackaged', () => {
    const { a } = actions();
    const mac = menuTemplate(a, [], { platform: 'darwin', devTools: false, appName: 'Tributary' });
    expect(mac[0]!.label).toBe('Tributary');
    expect((mac[0]!.submenu as MenuItemConstructorOptions[]).map((i) => i.role)).toContain('quit');
    expect((find(mac, ['File']).submenu as MenuItemConstructorOptions[]).at(-1)).toEqual({ role: 'close' });
    const roles = (devTools: boolean) => (find(menuTemplate(a, [], { platform: 'linux', devTools }), ['View']).submenu as MenuItemConstructorOptions[]).map((i) => i.role);
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(true)).toContain('toggleDevTools');
  });
});

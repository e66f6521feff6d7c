import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { withTempDir } from './temp-dir.js';

const exec = promisify(execFile);
export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** Flags for a headless Chromium that never reaches for the network (this machine has none), with a profile folder of its own. */
function flags(profile: string): string[] {
  return ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
}

/** Render a local page and save a screenshot of the given window size. */
export async function screenshot(page: string, png: string, width = 1280, height = 4000): Promise<void> {
  await withTempDir('chromium', (profile) => exec(CHROMIUM!, [...flags(profile), `--window-size=${width},${height}`, `--screenshot=${png}`, `file://${page}`], { timeout: 120_000 }));
}

/** The DOM after Chromium has parsed and laid out the page. */
export async function renderedDom(page: string): Promise<string> {
  const { stdout } = await withTempDir('chromium', (profile) => exec(CHROMIUM!, [...flags(profile), '--dump-dom', `file://${page}`], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }));
  return stdout;
}

/**
 * Real headless Chromium for the report's browser test (Debian's `chromium` package, driven by playwright-core;
 * playwright never downloads a browser here). Where it is missing: in CI (`CI=true`) the suite fails loudly,
 * since a skipped rendering test proves nothing (as test/gpu/support.ts does for the GPU); elsewhere it is
 * skipped with `SKIP_REASON` and a warning.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.OPML_CHROMIUM ?? '/usr/bin/chromium';
export const NO_CHROMIUM = !existsSync(CHROMIUM);
export const SKIP_REASON = NO_CHROMIUM ? `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install -y chromium; .ci/run does it)` : '';

if (NO_CHROMIUM && process.env.CI === 'true') {
  throw new Error(`CI=true and the report's browser test cannot run: ${SKIP_REASON}`);
}
if (NO_CHROMIUM) console.warn(`report browser test skipped (in CI, CI=true, this is an error): ${SKIP_REASON}`);

/**
 * A fresh headless Chromium: its own new profile (a --user-data-dir, which playwright takes as the persistent
 * context's directory), no network services of its own, no GPU.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; profile: string }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'opml-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { context, profile };
}

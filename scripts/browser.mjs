// Which Chromium the browser tests launch, shared by playwright.config.ts and ensure-browser.mjs.
// Preference: an explicit RAFTLAB_CHROMIUM path, then Playwright's own Chromium (where its
// download works), then Debian's /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a system Chromium in a sandboxless, closed-network machine. Without the networking
 * flags Chromium floods a closed network with connection attempts at every start.
 */
export const SYSTEM_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** @returns {{ kind: 'env' | 'playwright' | 'debian', executablePath: string } | null} */
export function findChromium() {
  const fromEnv = process.env.RAFTLAB_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`RAFTLAB_CHROMIUM is set to ${fromEnv}, but no file is there.`);
    }
    return { kind: 'env', executablePath: fromEnv };
  }
  let own;
  try {
    own = chromium.executablePath();
  } catch {
    // Playwright throws when it has no build for this platform: treat as not installed.
  }
  if (own && existsSync(own)) return { kind: 'playwright', executablePath: own };
  if (existsSync(DEBIAN_CHROMIUM)) return { kind: 'debian', executablePath: DEBIAN_CHROMIUM };
  return null;
}

/** Launch options for Playwright: none for its own browser, path and flags for a system one. */
export function chromiumLaunchOptions() {
  const found = findChromium();
  if (found === null || found.kind === 'playwright') return {};
  return { executablePath: found.executablePath, args: SYSTEM_CHROMIUM_ARGS };
}

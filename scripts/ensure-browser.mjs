#!/usr/bin/env node
// Makes sure a Chromium exists for the browser tests, saying what it does. Order: one already
// there; Playwright's own download (where the network allows it); Debian's chromium through apt
// (when running as root on Debian). Where neither works it fails and says how to get one: the
// browser tests are never skipped silently.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './browser.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => console.log(`[browser] ${msg}`);

function run(cmd, args, timeoutMs) {
  say(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, timeout: timeoutMs });
  if (r.error) say(`  ${r.error.code === 'ETIMEDOUT' ? 'timed out' : r.error.message}`);
  return r.status === 0;
}

function found(how) {
  const b = findChromium();
  if (b)
    say(
      `${how}: ${b.executablePath} (${b.kind === 'playwright' ? "Playwright's own Chromium" : b.kind === 'debian' ? "Debian's chromium" : 'RAFTLAB_CHROMIUM'})`,
    );
  return b !== null;
}

if (found('using')) process.exit(0);

say("No Chromium found. Trying Playwright's own download first.");
const cli = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
if (run(process.execPath, [cli, 'install', 'chromium'], 5 * 60_000) && found('installed')) {
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/usr/bin/apt-get')) {
  say("Playwright's download did not work here. Installing Debian's chromium through apt.");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    say(`$ apt-get ${args.join(' ')}`);
    return spawnSync('apt-get', args, { stdio: 'inherit', env, timeout: 10 * 60_000 }).status === 0;
  };
  if (apt(['update']) && apt(['install', '-y', 'chromium']) && found('installed')) {
    process.exit(0);
  }
}

console.error(`
[browser] No Chromium is available for the browser tests, and none could be installed here.
Get one of these, then run the tests again:
  - Playwright's own:   npx playwright install chromium
  - Debian or Ubuntu:   sudo apt-get install chromium
  - Any other Chromium: export RAFTLAB_CHROMIUM=/path/to/chromium
`);
process.exit(1);

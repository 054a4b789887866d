// Renders public/favicon.svg into the PNG icons the web app manifest and iOS need (run by hand
// after changing the favicon: `node scripts/make-icons.mjs`). Chromium draws them, so no image
// tool is needed; maskable icons keep the mark inside the safe zone (80%) on a solid background.
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './browser.mjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const svg = readFileSync(new URL('../public/favicon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch(chromiumLaunchOptions());
for (const [name, size, pad, bg] of [
  ['icon-192.png', 192, 0, null],
  ['icon-512.png', 512, 0, null],
  ['icon-maskable-512.png', 512, 0.2, '#f7f8fa'],
  ['apple-touch-icon.png', 180, 0.1, '#f7f8fa'],
]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  const inner = Math.round(size * (1 - 2 * pad));
  await page.setContent(
    `<html><body style="margin:0;${bg ? 'background:' + bg : ''}"><div style="width:${size}px;height:${size}px;display:flex;align-items:center;justify-content:center">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body></html>`,
  );
  await page.screenshot({
    path: fileURLToPath(new URL(`../public/${name}`, import.meta.url)),
    omitBackground: !bg,
  });
  await page.close();
}
await browser.close();

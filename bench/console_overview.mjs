// SPDX-License-Identifier: Apache-2.0
// console_overview.mjs: how long the console's overview takes to render,
// in headless Chromium (Debian's, driven by playwright-core), against the
// levee serve that bench/console_overview.sh started: from a page load
// (the console's modules, the session, every request of the overview and
// its charts) until the page says it is no longer busy. Prints one line per
// range: RUNS timings in ms and their median.
//
// env: LEVEE_URL, LEVEE_PASSWORD (secadmin's one-time password), LEVEE_SRC,
// RUNS (default 5), RANGES (default "30d 90d"), CHROMIUM.
import { createRequire } from 'node:module';
import path from 'node:path';

const BASE = process.env.LEVEE_URL.replace(/\/$/, '');
const require = createRequire(path.join(process.env.LEVEE_SRC, 'console', 'package.json'));
const { chromium } = require('playwright-core');
const RUNS = Number(process.env.RUNS || 5);
const RANGES = (process.env.RANGES || '30d 90d').split(/\s+/).filter(Boolean);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
const context = await browser.newContext({
  viewport: { width: 1366, height: 768 },
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
});
context.setDefaultTimeout(60000);
const page = await context.newPage();
const errors = [];
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
page.on('pageerror', (e) => errors.push(String(e)));

// sign in as the security admin, changing the one-time password
await page.goto(`${BASE}/`);
await page.getByLabel('账户名').fill('secadmin');
await page.getByLabel('密码', { exact: true }).fill(process.env.LEVEE_PASSWORD);
await page.getByRole('button', { name: '登录' }).click();
await page.getByRole('heading', { name: '首次登录，请修改密码', exact: true }).waitFor();
const fresh = 'bench password 2026 overview';
await page.getByLabel('新密码', { exact: true }).fill(fresh);
await page.getByLabel('再次输入新密码').fill(fresh);
await page.getByRole('button', { name: '修改并进入' }).click();
await page.waitForFunction(() => document.getElementById('view')?.getAttribute('aria-busy') === 'false');

const idle = () =>
  page.waitForFunction(() => {
    const v = document.getElementById('view');
    return v && v.getAttribute('aria-busy') === 'false' && document.querySelector('.kpis');
  });

for (const range of RANGES) {
  const ms = [];
  await page.goto(`${BASE}/#/overview?range=${range}`);
  await idle();
  for (let i = 0; i < RUNS; i++) {
    const t0 = Date.now();
    await page.reload();
    await idle();
    ms.push(Date.now() - t0);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const kpi = await page.locator('.kpis li').first().innerText();
  console.log(`OVERVIEW range=${range} runs=${RUNS} median_ms=${median} ms=${ms.join(',')} first_kpi=${JSON.stringify(kpi.replace(/\s+/g, ' '))}`);
}
await browser.close();
if (errors.length) {
  console.error(`browser console errors: ${errors.join(' | ')}`);
  process.exit(1);
}

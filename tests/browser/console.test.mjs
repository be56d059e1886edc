// SPDX-License-Identifier: Apache-2.0
// console.test.mjs: levee's web console in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), against the levee serve
// that tests/integration/test_console.sh started with the events of
// seed.jsonl. Each role signs in with its one-time password and changes it;
// the security admin sees the seeded alerts on the overview, confirms one on
// its event page (the finding highlighted at the right words) and dismisses
// another in bulk, unmasks personal data, searches 机密, reads the customer
// service figures, has an invalid policy refused (422) and saves a valid
// one, and is refused the audit trail; the auditor sees those reviews and
// the unmasking in the trail, runs a verify, and cannot edit the policy; the
// system admin sees the accounts and makes one. On a phone-sized screen the pages fit and
// the menu works. Every step fails on a browser console error and on any
// request to a host other than the server. A screenshot of each page goes
// to LEVEE_SHOTS.
//
// env: LEVEE_URL (the server), LEVEE_PASSWORDS (JSON: one-time passwords of
// sysadmin, secadmin, auditor), LEVEE_SHOTS (a directory), LEVEE_SRC (the
// repository: playwright-core is in console/node_modules), CHROMIUM.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (tests/integration/test_console.sh sets it)`);
  return v;
}

const BASE = env('LEVEE_URL').replace(/\/$/, '');
const ORIGIN = new URL(BASE).origin;
const SHOTS = env('LEVEE_SHOTS');
const ONE_TIME = JSON.parse(env('LEVEE_PASSWORDS'));
const require = createRequire(path.join(env('LEVEE_SRC'), 'console', 'package.json'));
const { chromium } = require('playwright-core');

const NEW_PASSWORD = {
  secadmin: '保密管理员 new password 2026',
  auditor: 'auditor new password 2026!',
  sysadmin: 'sysadmin new password 2026',
};
const NOTE_CONFIRM = '确认为涉密文件在工作群传播，已通知保密办处置';
const NOTE_DISMISS = '供应商对接人公开的业务电话，非个人信息泄露';
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT = 15000;

let browser;
const shots = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // root (a container) cannot use Chromium's sandbox
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
});

after(async () => {
  if (browser) await browser.close();
  console.log(`screenshots (${shots.length}): ${SHOTS}`);
});

// A browser context (its own cookies and storage) whose pages are watched:
// console errors, uncaught exceptions, answers, and requests off the server,
// which are refused and recorded.
async function session(viewport = DESKTOP, extra = {}) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...extra });
  context.setDefaultTimeout(TIMEOUT);
  const w = { errors: [], external: [], responses: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== ORIGIN) {
      w.external.push(url);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push({ text: m.text(), url: m.location().url || '' });
  });
  page.on('pageerror', (e) => w.errors.push({ text: `uncaught: ${e.message}`, url: '' }));
  page.on('response', (r) => w.responses.push({ method: r.request().method(), url: r.url(), status: r.status() }));
  return { context, page, w };
}

// Fails on console errors and requests off the server since the last call.
// allowed: answers the step provokes on purpose, [{status, path}] (Chromium
// logs every 4xx answer as a console error).
function clean(w, step, allowed = []) {
  const excused = (e) => {
    const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(e.text);
    if (!m || !e.url) return false;
    const u = new URL(e.url);
    return allowed.some((a) => a.status === Number(m[1]) && a.path === u.pathname);
  };
  const errors = w.errors.filter((e) => !excused(e));
  w.errors = [];
  assert.deepEqual(errors, [], `${step}: console errors in the browser`);
  assert.deepEqual(w.external, [], `${step}: requests to hosts other than the server`);
}

async function shot(page, name) {
  const file = path.join(SHOTS, `${String(shots.length + 1).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

// Runs action (a click, a navigation) and waits until the console has
// rendered a new page for it and loaded its data: the view's render stamp
// changed and the view is no longer busy.
async function rendered(page, action) {
  const stamp = await page.evaluate(() => document.getElementById('view')?.dataset.render ?? null).catch(() => null);
  await action();
  await page.waitForFunction((old) => {
    const v = document.getElementById('view');
    return v && v.dataset.render && v.dataset.render !== old && v.getAttribute('aria-busy') === 'false';
  }, stamp);
}

async function go(page, route) {
  await rendered(page, () => page.goto(`${BASE}/#/${route}`));
}

async function navLinks(page) {
  return page.locator('#nav a').allTextContents();
}

// Signs in at the sign-in page, by keyboard only when asked.
async function signIn(page, name, password, keyboard = false) {
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: '登录', exact: true }).waitFor();
  if (keyboard) {
    // the name field has the focus when the page opens
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
  } else {
    await page.getByLabel('账户名').fill(name);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  }
}

// The first sign-in: the one-time password, then the forced change.
async function firstSignIn(page, name, { keyboard = false, screenshot = false } = {}) {
  await signIn(page, name, ONE_TIME[name], keyboard);
  await page.getByRole('heading', { name: '首次登录，请修改密码', exact: true }).waitFor();
  if (screenshot) await shot(page, 'change-password');
  await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD[name]);
  await page.getByLabel('再次输入新密码').fill(`${NEW_PASSWORD[name]}x`);
  await page.getByRole('button', { name: '修改并进入' }).click();
  await page.getByText('两次输入的新密码不一致。').waitFor();
  await page.getByLabel('再次输入新密码').fill(NEW_PASSWORD[name]);
  await page.getByRole('button', { name: '修改并进入' }).click();
  await page.locator('#nav a').first().waitFor();
}

async function kpi(page, label) {
  const item = page.locator('.kpi', { has: page.locator('.kpi-label', { hasText: label }) });
  return (await item.locator('.kpi-value').textContent()).trim();
}

// The rows of the data table under a chart card, as {name: count}.
async function chartData(page, title) {
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: title, exact: true }) });
  const rows = await card.locator('.chart-data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
  );
  return Object.fromEntries(rows.map((r) => [r[0], Number(r[1])]));
}

async function noHorizontalScroll(page, step) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width + 1, `${step}: the page is ${scroll}px wide on a ${width}px screen`);
}

test('the security admin', async (t) => {
  const { context, page, w } = await session();

  await t.test('the sign-in page, and the language toggle kept', async () => {
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { name: '登录', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await shot(page, 'signin');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '登录', exact: true }).waitFor();
    clean(w, 'sign-in page');
  });

  await t.test('signs in by keyboard with the one-time password and must change it', async () => {
    await firstSignIn(page, 'secadmin', { keyboard: true, screenshot: true });
    await page.getByRole('heading', { name: '总览', exact: true }).waitFor();
    assert.deepEqual(await navLinks(page), ['总览', '告警处置', '全文检索', '客服质检', '数据库审批', '检查策略']);
    assert.match(await page.locator('#whoami').textContent(), /secadmin（安全保密管理员）/);
    clean(w, 'first sign-in');
  });

  await t.test('the overview shows the seeded alerts', async () => {
    await page.locator('.kpis').waitFor();
    assert.equal(await kpi(page, '告警'), '6');
    assert.equal(await kpi(page, '已阻断'), '2');
    assert.equal(await kpi(page, '待处理'), '6');
    assert.deepEqual(await chartData(page, '告警部门'), { 技术部: 2, 综合办: 2, 客服部: 1, 销售部: 1 });
    assert.deepEqual(await chartData(page, '告警渠道'), { 企业微信: 4, 微信: 2 });
    const categories = await chartData(page, '告警类别');
    assert.equal(categories['密级标识'], 2);
    assert.equal(categories['辱骂/不文明用语'], 1);
    assert.equal(categories['飞单/私下交易'], 1);
    const days = await chartData(page, '每日发现与告警');
    assert.equal(Object.keys(days).length, 30, 'the last 30 days on the axis');
    const senders = await page.locator('.rank li').allTextContents();
    assert.equal(senders.length, 4);
    assert.match(senders[0], /^(李娜|张伟)/);
    assert.equal(await page.locator('.open-list li').count(), 6);
    assert.ok((await page.locator('canvas').count()) >= 4, 'the charts are drawn');
    await shot(page, 'overview');
    clean(w, 'overview');
  });

  await t.test('the keyboard: the skip link comes first and leads to the content', async () => {
    await page.reload();
    await page.locator('.kpis').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.match(page.url(), /#\/overview$/, 'the skip link does not change the route');
    clean(w, 'skip link');
  });

  await t.test('the alert queue, and one alert confirmed on its event page', async () => {
    await rendered(page, () => page.getByRole('link', { name: '告警处置' }).click());
    const ids = await page.locator('tr[data-id]').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
    assert.deepEqual([...ids].sort(), ['c-002', 'c-004', 'c-005', 'c-006', 'c-102', 'c-202']);
    await page.getByLabel('排序').selectOption('severity');
    await rendered(page, () => page.getByRole('button', { name: '查询' }).click());
    assert.match(page.url(), /sort=severity/);
    const first = await page.locator('tr[data-id]').first().getAttribute('data-id');
    assert.ok(['c-002', 'c-005'].includes(first), `the most severe first, not ${first}`);
    await shot(page, 'alerts');

    await rendered(page, () => page.getByRole('link', { name: '打开消息 c-002' }).click());
    assert.deepEqual(await page.locator('.msg.this mark').allTextContents(), ['机密★5年']);
    const thread = await page.locator('.thread > li').count();
    assert.ok(thread >= 4, 'the conversation around it');
    assert.equal(await page.locator('.thread > li').nth(1).getAttribute('aria-current'), 'true', 'one message before it');
    await page.getByRole('button', { name: '机密★5年' }).click();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), '机密★5年', 'the finding leads to its mark');
    await page.getByLabel('确认违规').check();
    await page.getByRole('button', { name: '提交审核' }).click();
    await page.getByText('请填写审核意见。').waitFor();
    await page.getByLabel('审核意见').fill(NOTE_CONFIRM);
    await page.getByRole('button', { name: '提交审核' }).click();
    await page.locator('.review-status', { hasText: '已确认' }).waitFor();
    await page.locator('.review-last', { hasText: 'secadmin' }).waitFor();
    await shot(page, 'event');
    clean(w, 'confirm an alert');
  });

  await t.test('another alert dismissed by bulk review', async () => {
    await go(page, 'alerts');
    await page.locator('tr[data-id="c-004"]').waitFor();
    assert.equal(await page.locator('tr[data-id="c-002"]').count(), 0, 'the confirmed alert is no longer open');
    await page.getByLabel('选择 c-004').check();
    await page.getByLabel('审核结论').selectOption('dismiss');
    await page.getByLabel('审核意见').fill(NOTE_DISMISS);
    await page.getByRole('button', { name: '对所选告警提交' }).click();
    await page.locator('.bulk .form-status', { hasText: '已审核 1 条，失败 0 条。' }).waitFor();
    await page.locator('tr[data-id="c-004"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr[data-id]').count(), 4);
    await go(page, 'alerts?status=dismissed');
    assert.deepEqual(await page.locator('tr[data-id]').evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), ['c-004']);
    await go(page, 'alerts?status=confirmed');
    assert.deepEqual(await page.locator('tr[data-id]').evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), ['c-002']);
    clean(w, 'bulk dismiss');
  });

  await t.test('personal data masked, shown on request', async () => {
    await go(page, 'events/c-004');
    await page.locator('.msg.this').waitFor();
    assert.deepEqual(await page.locator('.msg.this mark').allTextContents(), ['139****5678']);
    assert.ok(!(await page.locator('.msg.this').textContent()).includes('13912345678'));
    await page.getByText('个人信息已脱敏显示。').waitFor();
    await shot(page, 'event-masked');
    await page.getByRole('button', { name: '显示原文' }).click();
    const dialog = page.locator('dialog');
    await dialog.getByText('查看未脱敏的原文将记入审计日志').waitFor();
    await dialog.getByRole('button', { name: '显示原文' }).click();
    await page.getByText('正在显示原文（已记入审计日志）。').waitFor();
    assert.deepEqual(await page.locator('.msg.this mark').allTextContents(), ['13912345678']);
    assert.ok(w.responses.some((r) => r.url.includes('/v1/events/c-004') && r.url.includes('unmask=1') && r.status === 200));
    clean(w, 'unmask');
  });

  await t.test('an attachment with its extracted text and findings', async () => {
    await go(page, 'events/c-006');
    await page.locator('.attachments li').waitFor();
    assert.match(await page.locator('.attachments').textContent(), /参会名单\.docx/);
    const marks = await page.locator('.att-text mark').allTextContents();
    assert.deepEqual(marks, ['110105********002X', '内部资料', '严禁外传']);
    await shot(page, 'event-attachment');
    clean(w, 'attachment');
  });

  await t.test('search 机密', async () => {
    await rendered(page, () => page.getByRole('link', { name: '全文检索' }).click());
    await page.getByLabel('检索内容').fill('机密');
    await rendered(page, () => page.getByLabel('检索内容').press('Enter'));
    const first = page.locator('.hit').first();
    assert.deepEqual(await first.locator('mark').allTextContents(), ['机密']);
    assert.match(await first.textContent(), /关于北极星项目总体技术方案的报告/);
    assert.match(await page.locator('p[role=status]').textContent(), /找到 \d+ 条/);
    await shot(page, 'search');
    clean(w, 'search');
  });

  await t.test('database approvals: without a guard, the page says how to connect one', async () => {
    await rendered(page, () => page.getByRole('link', { name: '数据库审批' }).click());
    await page.getByRole('heading', { name: '数据库操作审批', exact: true }).waitFor();
    await page.locator('.notice').first().waitFor();
    assert.match(await page.locator('main').textContent(), /--dbguard-control/);
    clean(w, 'holds', [{ status: 404, path: '/v1/holds' }]);
  });

  await t.test('the spread of a copy: its graph and its copies in time order', async () => {
    await go(page, 'events/c-002');
    await rendered(page, () => page.getByRole('link', { name: '传播溯源' }).click());
    await page.getByRole('heading', { name: '传播溯源', exact: true }).waitFor();
    await shot(page, 'spread');
    const timeline = page.locator('section.card', { has: page.getByRole('heading', { name: '按时间顺序的副本' }) });
    assert.ok((await timeline.locator('tbody tr').count()) >= 1, 'the copy itself at least');
    assert.match(await page.locator('.spread-origin').textContent(), /源头/);
    clean(w, 'spread');
  });

  await t.test('customer service: abusive language and order diversion by staff and team', async () => {
    await rendered(page, () => page.getByRole('link', { name: '客服质检' }).click());
    const staff = page.locator('section.card', { has: page.getByRole('heading', { name: '按员工', exact: true }) });
    await staff.locator('tbody tr').first().waitFor();
    const rows = await staff.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())),
    );
    const byName = Object.fromEntries(rows.map((r) => [r[0].split(' ')[0], r.slice(1)]));
    assert.deepEqual(byName['陈静'], ['1', '0', '1']);
    assert.deepEqual(byName['刘洋'], ['0', '1', '1']);
    const teams = await chartData(page, '按团队');
    assert.ok('客服部' in teams && '销售部' in teams, 'the teams');
    await shot(page, 'service');
    clean(w, 'service');
  });

  await t.test('policy: a bad one refused with its reason, a good one saved', async () => {
    await rendered(page, () => page.getByRole('link', { name: '检查策略' }).click());
    const yaml = page.getByLabel('策略 YAML');
    await yaml.waitFor();
    await page.locator('.rules .rule').first().waitFor();
    assert.ok((await page.locator('.rules .rule').count()) >= 10, 'the rules explained');
    const original = await yaml.inputValue();
    assert.match(original, /state-secret-marking/);
    await yaml.fill('version: 1\nrules:\n  - id: bad\n    match: {category: pii}\n    action: explode\n');
    await page.getByRole('button', { name: '校验并保存' }).click();
    await page.locator('dialog').getByRole('button', { name: '校验并保存' }).click();
    await page.locator('pre.policy-error').waitFor();
    assert.ok((await page.locator('pre.policy-error').textContent()).length > 0, 'the reason');
    await page.getByText('策略未通过校验，未保存：').waitFor();
    await shot(page, 'policy-invalid');
    clean(w, 'policy refused', [{ status: 422, path: '/v1/policy' }]);
    await page.reload();
    await page.getByRole('heading', { name: 'default · 版本 0', exact: true }).waitFor();

    await yaml.fill(original.replace('name: default', 'name: console-test'));
    await page.getByRole('button', { name: '校验并保存' }).click();
    await page.locator('dialog').getByRole('button', { name: '校验并保存' }).click();
    await page.getByRole('heading', { name: 'console-test · 版本 1', exact: true }).waitFor();
    await page.getByText('已保存并生效：版本 1').first().waitFor();
    await shot(page, 'policy');
    clean(w, 'policy saved');
  });

  await t.test('the audit trail is not the security admin\'s', async () => {
    assert.ok(!(await navLinks(page)).includes('审计日志'));
    const before = w.responses.length;
    await go(page, 'audit');
    await page.getByRole('heading', { name: '无权访问', exact: true }).waitFor();
    await page.getByText('不在安全保密管理员的职责范围内').waitFor();
    assert.ok(!w.responses.slice(before).some((r) => r.url.includes('/v1/audit')), 'no call was made');
    await shot(page, 'audit-forbidden');
    clean(w, 'audit forbidden');
  });

  await t.test('English', async () => {
    await go(page, 'overview');
    await page.locator('.kpis').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    assert.deepEqual(await navLinks(page), ['Overview', 'Alerts', 'Search', 'Customer service', 'Database approvals', 'Policy']);
    await page.locator('.kpis').waitFor();
    await shot(page, 'overview-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '总览', exact: true }).waitFor();
    clean(w, 'English');
  });

  await t.test('signs out', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('heading', { name: '登录', exact: true }).waitFor();
    await go(page, 'alerts');
    await page.getByRole('heading', { name: '登录', exact: true }).waitFor();
    clean(w, 'sign out');
  });
  await context.close();
});

test('the auditor', async (t) => {
  const { context, page, w } = await session();

  await t.test('signs in, changes the one-time password, lands on the audit trail', async () => {
    await firstSignIn(page, 'auditor');
    await page.getByRole('heading', { name: '审计日志', exact: true }).waitFor();
    assert.deepEqual(await navLinks(page), ['检查策略', '审计日志']);
    clean(w, 'auditor sign-in');
  });

  await t.test('sees the reviews in the trail', async () => {
    await page.getByLabel('记录类型').selectOption('review');
    await rendered(page, () => page.getByRole('button', { name: '查询' }).click());
    assert.match(page.url(), /type=review/);
    const rows = await page.locator('.audit-table tbody tr[data-record]').allTextContents();
    assert.equal(rows.length, 2);
    assert.ok(rows[0].includes('secadmin') && rows[0].includes('c-002') && rows[0].includes('确认违规') && rows[0].includes(NOTE_CONFIRM));
    assert.ok(rows[1].includes('secadmin') && rows[1].includes('c-004') && rows[1].includes('排除（误报）') && rows[1].includes(NOTE_DISMISS));
    await shot(page, 'audit-reviews');
    clean(w, 'audit reviews');
  });

  await t.test('sees the unmasking in the access trail', async () => {
    await go(page, 'audit?type=access&actor=secadmin');
    await page.locator('.audit-table tbody tr[data-record]').first().waitFor();
    await page.getByRole('button', { name: '跳到最新' }).click();
    const row = page.locator('.audit-table tbody tr', { hasText: 'GET /v1/events/' }).filter({ hasText: 'unmask' });
    await row.first().waitFor();
    assert.match(await row.first().textContent(), /c-004/);
    clean(w, 'audit unmask');
  });

  await t.test('runs a verify and sees its result', async () => {
    await page.getByRole('button', { name: '立即校验' }).click();
    await page.locator('.verify-result', { hasText: '校验通过' }).waitFor();
    await shot(page, 'audit-verify');
    clean(w, 'verify');
  });

  await t.test('reads the policy and cannot edit it', async () => {
    await page.getByRole('link', { name: '检查策略' }).click();
    await page.getByRole('heading', { name: 'console-test · 版本 1', exact: true }).waitFor();
    await page.getByText('安全审计员只能查看策略，不能修改。').waitFor();
    assert.equal(await page.locator('textarea').count(), 0);
    assert.equal(await page.getByRole('button', { name: '校验并保存' }).count(), 0);
    await shot(page, 'policy-auditor');
    await go(page, 'alerts');
    await page.getByRole('heading', { name: '无权访问', exact: true }).waitFor();
    clean(w, 'auditor policy');
  });
  await context.close();
});

test('the system admin', async (t) => {
  const { context, page, w } = await session();
  await t.test('signs in and sees the accounts, nothing else', async () => {
    await firstSignIn(page, 'sysadmin');
    await page.getByRole('heading', { name: '账户与令牌', exact: true }).waitFor();
    assert.deepEqual(await navLinks(page), ['账户与令牌']);
    await page.locator('table tbody tr').first().waitFor();
    const names = await page.locator('section.card').first().locator('tbody th').allTextContents();
    assert.deepEqual([...names].sort(), ['auditor', 'secadmin', 'sysadmin']);
    await page.getByLabel('账户名').fill('reviewer1');
    await page.getByLabel('角色').selectOption('security-admin');
    await page.getByRole('button', { name: '创建' }).first().click();
    await page.getByText('reviewer1 的一次性密码').waitFor();
    assert.ok((await page.locator('.once code.secret').textContent()).length >= 20, 'the one-time password, shown once');
    await page.locator('tbody th', { hasText: 'reviewer1' }).waitFor();
    await shot(page, 'accounts');
    await go(page, 'policy');
    await page.getByRole('heading', { name: '无权访问', exact: true }).waitFor();
    clean(w, 'sysadmin');
  });
  await context.close();
});

test('on a phone', async (t) => {
  const { context, page, w } = await session(PHONE, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await t.test('the pages fit and the menu opens', async () => {
    await signIn(page, 'secadmin', NEW_PASSWORD.secadmin);
    await page.locator('.kpis').waitFor();
    await noHorizontalScroll(page, 'overview');
    assert.ok(!(await page.locator('#nav').isVisible()), 'the navigation is folded');
    await shot(page, 'phone-overview');
    await page.getByRole('button', { name: '菜单' }).click();
    await page.locator('#nav').getByRole('link', { name: '告警处置' }).click();
    await page.getByRole('heading', { name: '告警处置', exact: true }).waitFor();
    await page.locator('tr[data-id]').first().waitFor();
    await noHorizontalScroll(page, 'alerts');
    await shot(page, 'phone-alerts');
    await go(page, 'events/c-102');
    await page.locator('.msg.this').waitFor();
    assert.deepEqual(await page.locator('.msg.this mark').allTextContents(), ['你是猪', '烦不烦', '爱买不买']);
    await noHorizontalScroll(page, 'event');
    await shot(page, 'phone-event');
    clean(w, 'phone');
  });
  await context.close();
});

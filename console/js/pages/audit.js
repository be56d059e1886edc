// SPDX-License-Identifier: Apache-2.0
// pages/audit.js: the auditor's page. The result of the last integrity
// check (the newest "verify" record of the trail) and a button that runs
// one (POST /v1/verify); and the audit trail itself (GET /v1/audit): who did
// what, of one record type, oldest first as the log is, paged forward, with
// a jump to the newest records. Password hashes in account records are not
// shown.

import { api, get } from '../api.js';
import { errorText, field, h, notice, select } from '../dom.js';
import { fmtNumber, fmtTime, label, t } from '../i18n.js';

const TYPES = ['access', 'login', 'account', 'token', 'policy', 'review', 'search', 'view', 'export', 'purge', 'register', 'verify', 'stats', 'verdict'];
const PAGE = 100;
const JUMP_PAGE = 1000;
const JUMP_MAX_PAGES = 50;
const HIDDEN = new Set(['password']);
const LONG = 200;

const KEY_ZH = {
  action: '操作',
  from: '来源地址',
  status: '状态码',
  via: '方式',
  who: '账户',
  role: '角色',
  name: '名称',
  op: '变更',
  alert: '告警消息',
  event_record: '消息记录',
  decision: '结论',
  note: '意见',
  outcome: '结果',
  version: '版本',
  sha256: 'SHA-256',
  text: '内容',
  event: '消息',
  target: '对象',
  about: '附注',
  owner: '创建人',
  ok: '通过',
  records: '记录数',
  problems_found: '问题数',
};

function keyText(k) {
  return document.documentElement.lang === 'en' ? k : KEY_ZH[k] || k;
}

function valueNode(k, v) {
  if (HIDDEN.has(k)) return h('span', { class: 'sub' }, '••••');
  if (k === 'decision') return label('decision', v);
  if (k === 'role') return label('role', v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (s.length > LONG) return h('details', {}, h('summary', {}, `${s.slice(0, 60)}…`), h('pre', { class: 'long' }, s));
  return s;
}

function detailNode(detail) {
  if (!detail || typeof detail !== 'object') return '';
  return h(
    'dl',
    { class: 'detail' },
    Object.entries(detail).map(([k, v]) => h('div', {}, h('dt', {}, keyText(k)), h('dd', {}, valueNode(k, v)))),
  );
}

function recordRow(r) {
  return h(
    'tr',
    { dataset: { record: r.record } },
    h('td', { class: 'num' }, String(r.record)),
    h('td', {}, fmtTime(r.time_ms, true)),
    h('td', {}, r.actor),
    h('td', {}, h('span', { class: `badge badge-outcome-${r.outcome}` }, label('outcome', r.outcome))),
    h('td', {}, detailNode(r.detail)),
  );
}

// The verify card: the last "verify" record, and a button to run one.
function verifyCard(signal) {
  const last = h('div', { class: 'verify-last', role: 'status' }, t('app.loading'));
  const result = h('div', { class: 'verify-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'primary' }, t('audit.verify_run'));

  async function showLast() {
    try {
      let after;
      let newest = null;
      for (;;) {
        const page = await get('/v1/audit', { type: 'verify', after, limit: 1000 }, signal);
        if (page.records.length) newest = page.records[page.records.length - 1];
        if (page.next_after === null || page.next_after === undefined) break;
        after = page.next_after;
      }
      if (!newest) last.textContent = t('audit.verify_never');
      else last.replaceChildren(h('p', {}, t('audit.verify_last', { at: fmtTime(newest.time_ms, true), by: newest.actor })), detailNode(newest.detail));
    } catch (e) {
      if (e.name !== 'AbortError') last.replaceChildren(notice(errorText(e), 'error'));
    }
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    result.replaceChildren(h('p', {}, t('audit.verify_running')));
    try {
      const v = await api('POST', '/v1/verify');
      const parts = [];
      if (v.ok) parts.push(notice(t('audit.verify_ok', { records: fmtNumber(v.records), events: fmtNumber(v.events), checkpoints: fmtNumber(v.checkpoints) }), 'ok'));
      else {
        parts.push(notice(t('audit.verify_bad', { n: v.problems_found }), 'error'));
        parts.push(h('ul', { class: 'problems' }, (v.problems || []).map((p) => h('li', {}, `${p.kind} [${p.from}–${p.to}] ${p.event || ''} ${p.what}`))));
      }
      if (v.unsigned_tail) parts.push(h('p', { class: 'hint' }, t('audit.verify_tail', { n: v.unsigned_tail })));
      result.replaceChildren(...parts);
      await showLast();
    } catch (e) {
      result.replaceChildren(notice(errorText(e), 'error'));
    } finally {
      button.disabled = false;
    }
  });
  showLast();
  return h('section', { class: 'card verify', 'aria-label': t('audit.verify') }, h('h2', {}, t('audit.verify')), last, h('div', { class: 'actions' }, button), result);
}

export async function render(ctx) {
  const { view, query, signal } = ctx;
  const type = TYPES.includes(query.type) ? query.type : 'access';
  view.append(h('div', { class: 'page-head' }, h('h1', {}, t('audit.title'))), verifyCard(signal));

  const typeSel = select('type', TYPES.map((x) => [x, `${label('audit', x)} (${x})`]), type);
  const actor = h('input', { type: 'text', name: 'actor', value: query.actor || '', autocapitalize: 'off', spellcheck: 'false' });
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        ctx.setQuery(Object.fromEntries(new FormData(form)));
      },
    },
    field(t('audit.type'), typeSel),
    field(t('audit.actor'), actor),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('audit.query'))),
  );
  const tbody = h('tbody', {});
  const status = h('p', { class: 'hint', role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, t('app.more'));
  const latest = h('button', { type: 'button' }, t('audit.latest'));
  view.append(
    h(
      'section',
      { class: 'card trail', 'aria-label': t('audit.title') },
      h('h2', {}, `${t('audit.title')}：${label('audit', type)}`),
      form,
      status,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table audit-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [t('audit.record'), t('audit.time'), t('audit.actor'), t('audit.outcome'), t('audit.detail')].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          tbody,
        ),
      ),
      h('div', { class: 'actions' }, more, latest),
    ),
  );

  const params = { type, actor: query.actor };
  let next = null;
  let shown = 0;
  function show(records, replace) {
    if (replace) {
      tbody.replaceChildren();
      shown = 0;
    }
    tbody.append(...records.map(recordRow));
    shown += records.length;
    if (!shown) tbody.appendChild(h('tr', {}, h('td', { colspan: '5' }, t('audit.empty'))));
    more.hidden = next === null || next === undefined;
    status.textContent = t('alerts.count', { n: fmtNumber(shown) });
  }
  async function load(after, replace) {
    more.disabled = true;
    try {
      const page = await get('/v1/audit', { ...params, after, limit: PAGE }, signal);
      next = page.next_after;
      show(page.records, replace);
    } catch (e) {
      if (e.name !== 'AbortError') status.replaceChildren(notice(errorText(e), 'error'));
    } finally {
      more.disabled = false;
    }
  }
  // Pages forward to the end, keeping the last PAGE records.
  async function jump() {
    latest.disabled = true;
    status.textContent = t('app.loading');
    try {
      let after = next ?? undefined;
      let tail = [];
      for (let i = 0; i < JUMP_MAX_PAGES; i++) {
        const page = await get('/v1/audit', { ...params, after, limit: JUMP_PAGE }, signal);
        tail = [...tail, ...page.records].slice(-PAGE);
        next = page.next_after;
        if (next === null || next === undefined) break;
        after = next;
      }
      show(tail, true);
    } catch (e) {
      if (e.name !== 'AbortError') status.replaceChildren(notice(errorText(e), 'error'));
    } finally {
      latest.disabled = false;
    }
  }
  more.addEventListener('click', () => load(next, false));
  latest.addEventListener('click', jump);
  await load(undefined, true);
  return null;
}

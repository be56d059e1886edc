// SPDX-License-Identifier: Apache-2.0
// pages/policy.js: the policy in force (GET /v1/policy), its rules shown
// from the server's "explain" text as cards (action, severity, conditions),
// and, for the security admin only, its YAML to edit: PUT /v1/policy
// validates and compiles it; a 422 shows the reason and nothing is saved.
// The auditor reads it and cannot change it (三员分立).

import { api, get } from '../api.js';
import { badge, confirmDialog, errorText, field, h, notice, toast } from '../dom.js';
import { getLang, label, t } from '../i18n.js';

const RULE = /^rule (\S+): (\w+) with severity (\w+) when (.*)$/;

// The explain text -> {header, notes, rules: [{id, action, severity, when, notes}], other: [[line, notes]]}.
function parseExplain(text) {
  const out = { header: '', notes: [], rules: [], other: [] };
  let last = null;
  for (const line of String(text || '').split('\n')) {
    if (!line.trim()) continue;
    if (/^\s/.test(line)) {
      if (last) last.push(line.trim());
      continue;
    }
    const m = RULE.exec(line);
    if (m) {
      const rule = { id: m[1], action: m[2], severity: m[3], when: m[4].split('; '), notes: [] };
      out.rules.push(rule);
      last = rule.notes;
    } else if (!out.header && line.startsWith('policy ')) {
      out.header = line;
      last = out.notes;
    } else {
      const entry = [line, []];
      out.other.push(entry);
      last = entry[1];
    }
  }
  return out;
}

const list = (s) => s.split(/, | or /).filter(Boolean);

// One condition of a rule, readable in Chinese (as levee says it otherwise).
function condition(part) {
  if (getLang() === 'en') return h('li', {}, part);
  let m = /^a finding in (.+)$/.exec(part);
  if (m)
    return h(
      'li',
      {},
      '发现类别：',
      list(m[1]).map((c) => h('span', { class: `tag tag-${c.split('.')[0]}`, title: c }, label('category', c))),
    );
  m = /^with confidence >= ([\d.]+)$/.exec(part);
  if (m) return h('li', {}, `置信度 ≥ ${m[1]}`);
  m = /^channel (.+)$/.exec(part);
  if (m) return h('li', {}, `渠道：${list(m[1]).map((c) => label('channel', c)).join('、')}`);
  m = /^conversation (.+)$/.exec(part);
  if (m) return h('li', {}, `会话类型：${list(m[1]).map((c) => label('conversation', c)).join('、')}`);
  if (part === 'external conversations') return h('li', {}, '仅外部会话（含客户）');
  if (part === 'internal conversations') return h('li', {}, '仅内部会话');
  m = /^sender role (.+)$/.exec(part);
  if (m) return h('li', {}, `发送人角色：${list(m[1]).map((c) => label('role', c)).join('、')}`);
  m = /^sender dept (.+)$/.exec(part);
  if (m) return h('li', {}, `发送人部门：${list(m[1]).join('、')}`);
  return h('li', {}, part);
}

function ruleCard(rule) {
  return h(
    'li',
    { class: `rule rule-${rule.action}` },
    h('div', { class: 'rule-head' }, h('code', {}, rule.id), badge('action', rule.action), badge('severity', rule.severity)),
    rule.notes.length ? h('p', { class: 'rule-desc' }, rule.notes.join(' ')) : null,
    h('ul', { class: 'conditions', 'aria-label': t('policy.rule_when') }, rule.when.map(condition)),
  );
}

function explainView(policy) {
  const e = parseExplain(policy.explain);
  return h(
    'div',
    {},
    h(
      'section',
      { class: 'card', 'aria-label': t('policy.rules') },
      h('h2', {}, `${policy.name} · ${t('policy.version', { v: policy.version })}`),
      h('p', { class: 'hint' }, t('policy.origin', { o: policy.origin })),
      e.notes.length ? h('p', {}, e.notes.join(' ')) : null,
      h('h3', {}, t('policy.rules'), ' ', h('span', { class: 'sub' }, t('policy.rule_count', { n: e.rules.length }))),
      h('ol', { class: 'rules' }, e.rules.map(ruleCard)),
    ),
    h(
      'section',
      { class: 'card', 'aria-label': t('policy.other') },
      h('h2', {}, t('policy.other')),
      h(
        'ul',
        { class: 'other-settings' },
        e.other.map(([line, notes]) => h('li', {}, line, notes.length ? h('div', { class: 'sub' }, notes.join(' ')) : null)),
      ),
      h('details', {}, h('summary', {}, t('policy.raw')), h('pre', { class: 'explain' }, policy.explain)),
    ),
  );
}

function editor(ctx, policy) {
  const original = policy.yaml || '';
  const text = h('textarea', {
    name: 'yaml',
    class: 'yaml',
    rows: '24',
    spellcheck: 'false',
    autocapitalize: 'off',
    autocomplete: 'off',
    wrap: 'off',
  });
  text.value = original;
  const status = h('div', { class: 'form-status', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'primary' }, t('policy.save'));
  const undo = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        text.value = original;
        status.replaceChildren();
        text.focus();
      },
    },
    t('policy.reset'),
  );
  const form = h(
    'form',
    {
      class: 'card policy-editor',
      'aria-label': t('policy.edit'),
      onsubmit: async (e) => {
        e.preventDefault();
        status.replaceChildren();
        if (!text.value.trim()) {
          status.textContent = t('policy.empty');
          text.focus();
          return;
        }
        if (!(await confirmDialog(t('policy.confirm'), t('policy.save')))) return;
        save.disabled = true;
        try {
          const res = await api('PUT', '/v1/policy', { body: text.value, type: 'application/yaml' });
          toast(t('policy.saved', { v: res.version }), 'ok');
          ctx.setQuery({ saved: String(res.version) });
        } catch (err) {
          if (err.status === 422 || err.status === 400) {
            status.replaceChildren(h('strong', {}, t('policy.invalid')), h('pre', { class: 'policy-error' }, err.message));
          } else {
            status.textContent = errorText(err);
          }
          save.disabled = false;
          text.focus();
        }
      },
    },
    h('h2', {}, t('policy.edit')),
    policy.yaml === null ? notice(t('policy.no_yaml'), 'warn') : null,
    field(t('policy.yaml'), text, t('policy.yaml_hint')),
    status,
    h('div', { class: 'actions' }, undo, save),
  );
  return form;
}

export async function render(ctx) {
  const { view, session, signal, query } = ctx;
  view.appendChild(h('div', { class: 'page-head' }, h('h1', {}, t('policy.title'))));
  let policy;
  try {
    policy = await get('/v1/policy', null, signal);
  } catch (e) {
    if (e.name === 'AbortError') return null;
    view.appendChild(notice(t('app.error', { msg: errorText(e) }), 'error'));
    return null;
  }
  if (query.saved) view.appendChild(notice(t('policy.saved', { v: query.saved }), 'ok'));
  const layout = h('div', { class: 'policy-layout' }, explainView(policy));
  if (session.role === 'security-admin') layout.appendChild(editor(ctx, policy));
  else {
    layout.appendChild(
      h(
        'section',
        { class: 'card' },
        notice(t('policy.readonly')),
        policy.yaml !== null ? h('details', {}, h('summary', {}, t('policy.yaml')), h('pre', { class: 'yaml' }, policy.yaml)) : null,
      ),
    );
  }
  view.appendChild(layout);
  return null;
}

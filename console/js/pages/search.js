// SPDX-License-Identifier: Apache-2.0
// pages/search.js: full-text search of the stored events (GET /v1/search)
// with the same filters as the alert queue; the matches come as byte
// offsets into the message and the attachments' text and are highlighted.
// Each hit opens its event.

import { get } from '../api.js';
import { badge, categoryBadges, errorText, field, h, notice, select, senderText } from '../dom.js';
import { codes, fmtTime, label, t } from '../i18n.js';
import { addDays } from '../range.js';
import { marked, toIndexRanges } from '../text.js';

const PAGE = 50;
const CATEGORY_FILTERS = ['classified.', 'confidential.', 'finance.', 'pii.', 'conduct.', 'conduct.abusive', 'conduct.order_diversion', 'keyword.', 'attachment.'];

function highlighted(text, matches) {
  const ranges = toIndexRanges(
    text,
    (matches || []).map(([start, end]) => ({ start, end, cls: 'hl-search' })),
  );
  return marked(text, ranges);
}

function hit(ctx, x) {
  return h(
    'li',
    { class: 'hit' },
    h(
      'div',
      { class: 'msg-head' },
      h('a', { href: ctx.hashFor('events', [x.id]), 'aria-label': t('event.open_event', { id: x.id }) }, fmtTime(x.time_ms)),
      h('span', { class: 'who' }, senderText(x.sender)),
      h('span', { class: 'sub' }, [label('channel', x.channel), x.conversation && (x.conversation.title || x.conversation.id)].filter(Boolean).join(' · ')),
      x.action && x.action !== 'allow' ? badge('action', x.action) : null,
      categoryBadges(x.categories),
    ),
    x.text ? h('div', { class: 'msg-text' }, highlighted(x.text, x.text_matches)) : null,
    x.extracted
      ? h('div', { class: 'msg-text att-text' }, h('span', { class: 'sub' }, `${t('search.in_attachment')}：`), highlighted(x.extracted, x.extracted_matches))
      : null,
  );
}

export async function render(ctx) {
  const { view, query, signal } = ctx;
  const q = h('input', { type: 'search', name: 'q', value: query.q || '', autocomplete: 'off' });
  const category = select('category', [['', t('app.all')], ...CATEGORY_FILTERS.map((c) => [c, c.endsWith('.') ? label('group', c.slice(0, -1)) : label('category', c)])], query.category || '');
  const channel = select('channel', [['', t('app.all')], ...codes('channel').map((c) => [c, label('channel', c)])], query.channel || '');
  const action = select('action', [['', t('app.all')], ...codes('action').map((a) => [a, label('action', a)])], query.action || '');
  const dept = h('input', { type: 'text', name: 'dept', value: query.dept || '' });
  const sender = h('input', { type: 'text', name: 'sender', value: query.sender || '', autocapitalize: 'off', spellcheck: 'false' });
  const from = h('input', { type: 'date', name: 'from', value: query.from || '' });
  const to = h('input', { type: 'date', name: 'to', value: query.to || '' });
  const form = h(
    'form',
    {
      class: 'search-form',
      role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        ctx.setQuery(Object.fromEntries(new FormData(form)));
      },
    },
    h('div', { class: 'search-main' }, field(t('search.q'), q, t('search.hint')), h('button', { type: 'submit', class: 'primary' }, t('search.submit'))),
    h(
      'div',
      { class: 'filters' },
      field(t('alerts.category'), category),
      field(t('alerts.action'), action),
      field(t('alerts.channel'), channel),
      field(t('alerts.dept'), dept),
      field(t('alerts.sender'), sender),
      field(t('range.from'), from),
      field(t('range.to'), to),
    ),
  );
  view.append(h('div', { class: 'page-head' }, h('h1', {}, t('search.title'))), h('div', { class: 'card' }, form));
  if (!ctx.alive()) return null;
  if (!query.q && !query.category && !query.sender && !query.dept && !query.channel && !query.action) {
    q.focus();
    return null;
  }

  const status = h('p', { class: 'hint', role: 'status' });
  const list = h('ol', { class: 'hits' });
  const more = h('button', { type: 'button', hidden: true }, t('app.more'));
  view.append(status, list, h('div', { class: 'actions' }, more));
  const params = {
    q: query.q,
    category: query.category,
    channel: query.channel,
    action: query.action,
    dept: query.dept,
    sender: query.sender,
    since: query.from,
    until: query.to ? addDays(query.to, 1) : undefined,
  };
  let count = 0;
  let next = null;
  async function load(before) {
    more.disabled = true;
    try {
      const page = await get('/v1/search', { ...params, limit: PAGE, before }, signal);
      list.append(...page.hits.map((x) => hit(ctx, x)));
      count += page.hits.length;
      next = page.next_before;
      more.hidden = next === null || next === undefined;
      status.textContent = count === 0 ? t('search.empty') : more.hidden ? t('search.results', { n: count }) : t('search.results_more', { n: count });
    } catch (e) {
      if (e.name === 'AbortError') return;
      status.replaceChildren(notice(t('app.error', { msg: errorText(e) }), 'error'));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => load(next));
  await load();
  return null;
}

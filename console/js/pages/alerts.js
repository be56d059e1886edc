// SPDX-License-Identifier: Apache-2.0
// pages/alerts.js: the alert queue (GET /v1/alerts): filters in the route's
// query, sorting of what is loaded, paging with "load more", and bulk
// review: one POST /v1/alerts/{id}/review per alert selected, with the same
// decision and note. Each alert opens its event (pages/event.js).

import { errorText, badge, categoryBadges, field, h, notice, select, senderText, toast } from '../dom.js';
import { get, post } from '../api.js';
import { codes, fmtTime, label, t } from '../i18n.js';
import { addDays } from '../range.js';

const PAGE = 50;
const STATUSES = ['open', 'confirmed', 'dismissed', 'escalated'];
const CATEGORY_FILTERS = ['classified.', 'confidential.', 'finance.', 'pii.', 'conduct.', 'conduct.abusive', 'conduct.order_diversion', 'attachment.'];
const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const DECISIONS = ['confirm', 'dismiss', 'escalate', 'comment'];

function categoryOption(c) {
  return [c, c.endsWith('.') ? label('group', c.slice(0, -1)) : label('category', c)];
}

// The API's filters for the route's query (status defaults to open).
function apiFilters(q) {
  const status = q.status === 'all' ? undefined : STATUSES.includes(q.status) ? q.status : 'open';
  return {
    status,
    channel: q.channel,
    dept: q.dept,
    sender: q.sender,
    category: q.category,
    action: q.action,
    since: q.from,
    until: q.to ? addDays(q.to, 1) : undefined,
  };
}

function filterForm(ctx) {
  const q = ctx.query;
  const status = select('status', [...STATUSES.map((s) => [s, label('status', s)]), ['all', t('app.all')]], STATUSES.includes(q.status) || q.status === 'all' ? q.status : 'open');
  const channel = select('channel', [['', t('app.all')], ...codes('channel').map((c) => [c, label('channel', c)])], q.channel || '');
  const category = select('category', [['', t('app.all')], ...CATEGORY_FILTERS.map(categoryOption)], q.category || '');
  const action = select('action', [['', t('app.all')], ...['block', 'redact', 'hold', 'alert'].map((a) => [a, label('action', a)])], q.action || '');
  const dept = h('input', { type: 'text', name: 'dept', value: q.dept || '' });
  const sender = h('input', { type: 'text', name: 'sender', value: q.sender || '', autocapitalize: 'off', spellcheck: 'false' });
  const from = h('input', { type: 'date', name: 'from', value: q.from || '' });
  const to = h('input', { type: 'date', name: 'to', value: q.to || '' });
  const sort = select(
    'sort',
    [
      ['newest', t('alerts.sort_newest')],
      ['oldest', t('alerts.sort_oldest')],
      ['severity', t('alerts.sort_severity')],
    ],
    q.sort || 'newest',
  );
  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': t('alerts.filters'),
      onsubmit: (e) => {
        e.preventDefault();
        const data = Object.fromEntries(new FormData(form));
        ctx.setQuery(data);
      },
    },
    field(t('alerts.status'), status),
    field(t('alerts.category'), category),
    field(t('alerts.action'), action),
    field(t('alerts.channel'), channel),
    field(t('alerts.dept'), dept),
    field(t('alerts.sender'), sender),
    field(t('range.from'), from),
    field(t('range.to'), to),
    field(t('alerts.sort'), sort),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('alerts.apply')),
      h('a', { class: 'button', href: ctx.hashFor('alerts') }, t('alerts.reset')),
    ),
  );
  return form;
}

function sorted(items, how) {
  const list = [...items];
  if (how === 'oldest') list.sort((a, b) => a.time_ms - b.time_ms || a.record - b.record);
  else if (how === 'severity')
    list.sort((a, b) => (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0) || b.time_ms - a.time_ms);
  else list.sort((a, b) => b.record - a.record);
  return list;
}

export async function render(ctx) {
  const { view, query, signal } = ctx;
  const filters = apiFilters(query);
  let items = [];
  let next = null;
  const selected = new Set();

  view.appendChild(h('div', { class: 'page-head' }, h('h1', {}, t('alerts.title'))));
  // the filters are open on a wide screen, folded on a phone
  const wide = window.matchMedia('(min-width: 801px)').matches;
  view.appendChild(h('details', { class: 'card filters-card', open: wide }, h('summary', {}, t('alerts.filters')), filterForm(ctx)));

  // bulk review
  const decision = select('decision', DECISIONS.map((d) => [d, label('decision', d)]), 'confirm');
  const note = h('textarea', { name: 'note', rows: '2', maxlength: '4000', required: true });
  const bulkCount = h('span', { class: 'bulk-count', 'aria-live': 'polite' }, t('alerts.bulk_selected', { n: 0 }));
  const bulkStatus = h('div', { class: 'form-status', role: 'status' });
  const bulkButton = h('button', { type: 'submit', class: 'primary' }, t('alerts.bulk_apply'));
  const bulk = h(
    'form',
    { class: 'card bulk', novalidate: true, 'aria-label': t('alerts.bulk'), onsubmit: (e) => bulkReview(e) },
    h('h2', {}, t('alerts.bulk'), ' ', bulkCount),
    h('div', { class: 'bulk-fields' }, field(t('review.decision'), decision), field(t('review.note'), note, t('review.note_hint'))),
    bulkStatus,
    h('div', { class: 'actions' }, bulkButton),
  );

  const countLine = h('p', { class: 'hint', role: 'status' });
  const selectAll = h('input', { type: 'checkbox', 'aria-label': t('alerts.select_all') });
  const tbody = h('tbody', {});
  const table = h(
    'table',
    { class: 'table alerts-table' },
    h('caption', { class: 'visually-hidden' }, t('alerts.title')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', class: 'check' }, selectAll),
        h('th', { scope: 'col' }, t('alerts.time')),
        h('th', { scope: 'col' }, t('alerts.from')),
        h('th', { scope: 'col', class: 'hide-narrow' }, t('alerts.conversation')),
        h('th', { scope: 'col' }, t('alerts.categories')),
        h('th', { scope: 'col' }, t('alerts.verdict')),
        h('th', { scope: 'col' }, t('alerts.review')),
      ),
    ),
    tbody,
  );
  const more = h('button', { type: 'button', hidden: true }, t('app.more'));
  const listBox = h('div', { class: 'table-wrap' }, table);
  view.appendChild(bulk);
  view.appendChild(countLine);
  view.appendChild(listBox);
  view.appendChild(h('div', { class: 'actions' }, more));

  function updateSelection() {
    bulkCount.textContent = t('alerts.bulk_selected', { n: selected.size });
    const boxes = tbody.querySelectorAll('input[type=checkbox]');
    selectAll.checked = boxes.length > 0 && selected.size === boxes.length;
    selectAll.indeterminate = selected.size > 0 && selected.size < boxes.length;
  }

  function row(a) {
    const box = h('input', {
      type: 'checkbox',
      value: a.id,
      checked: selected.has(a.id),
      'aria-label': t('alerts.select', { id: a.id }),
      onchange: (e) => {
        if (e.target.checked) selected.add(a.id);
        else selected.delete(a.id);
        updateSelection();
      },
    });
    const review = a.review || { status: 'unknown', reviews: 0 };
    return h(
      'tr',
      { dataset: { id: a.id } },
      h('td', { class: 'check' }, box),
      h('td', {}, h('a', { href: ctx.hashFor('events', [a.id]), 'aria-label': t('event.open_event', { id: a.id }) }, fmtTime(a.time_ms))),
      h('td', {}, senderText(a.sender), h('div', { class: 'sub' }, label('channel', a.channel))),
      h('td', { class: 'hide-narrow' }, (a.conversation && (a.conversation.title || a.conversation.id)) || ''),
      h('td', {}, categoryBadges(a.categories)),
      h('td', {}, badge('action', a.action), ' ', badge('severity', a.severity)),
      h('td', {}, badge('status', review.status), review.reviews ? h('div', { class: 'sub' }, `×${review.reviews}`) : null),
    );
  }

  function draw() {
    tbody.replaceChildren(...sorted(items, query.sort).map(row));
    if (!items.length) tbody.appendChild(h('tr', {}, h('td', { colspan: '7' }, notice(t('alerts.empty')))));
    countLine.textContent = t('alerts.count', { n: items.length });
    more.hidden = next === null || next === undefined;
    updateSelection();
  }

  async function load(before) {
    more.disabled = true;
    try {
      const page = await get('/v1/alerts', { ...filters, limit: PAGE, before }, signal);
      items = before ? [...items, ...page.alerts] : page.alerts;
      next = page.next_before;
      draw();
    } catch (e) {
      if (e.name === 'AbortError') return;
      listBox.replaceChildren(notice(t('app.error', { msg: errorText(e) }), 'error'));
    } finally {
      more.disabled = false;
    }
  }

  async function bulkReview(e) {
    e.preventDefault();
    bulkStatus.textContent = '';
    if (!selected.size) {
      bulkStatus.textContent = t('alerts.bulk_none');
      return;
    }
    if (!note.value.trim()) {
      bulkStatus.textContent = t('review.note_required');
      note.focus();
      return;
    }
    bulkButton.disabled = true;
    let ok = 0;
    let bad = 0;
    const errors = [];
    for (const id of [...selected]) {
      try {
        await post(`/v1/alerts/${encodeURIComponent(id)}/review`, { decision: decision.value, note: note.value.trim() });
        ok += 1;
        selected.delete(id);
      } catch (err) {
        bad += 1;
        errors.push(`${id}: ${errorText(err)}`);
      }
    }
    bulkButton.disabled = false;
    const msg = t('alerts.bulk_done', { ok, bad });
    bulkStatus.textContent = errors.length ? `${msg} ${errors.join('；')}` : msg;
    toast(msg, bad ? 'error' : 'ok');
    if (ok) {
      note.value = '';
      await load();
    }
  }

  selectAll.addEventListener('change', () => {
    for (const a of items) {
      if (selectAll.checked) selected.add(a.id);
      else selected.delete(a.id);
    }
    draw();
  });
  more.addEventListener('click', () => load(next));
  await load();
  return null;
}

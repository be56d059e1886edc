// SPDX-License-Identifier: Apache-2.0
// pages/service.js: customer-service quality for the security admin: how
// many messages with abusive language (conduct.abusive) and order diversion
// (conduct.order_diversion, 飞单) each team (the sender's department) and
// each staff member sent in the time range, alerted or only recorded
// (GET /v1/stats by dept, and by sender). Each count opens the messages.

import { get } from '../api.js';
import { chartCard, stackedBars } from '../charts.js';
import { errorText, h, notice } from '../dom.js';
import { fmtNumber, t } from '../i18n.js';
import { rangeParams, rangePicker } from '../range.js';
import { SAMPLE, senderCounts } from '../stats.js';

const KINDS = [
  { category: 'conduct.abusive', text: 'service.abusive' },
  { category: 'conduct.order_diversion', text: 'service.diversion' },
];

// Rows {key, name, dept, counts: [per kind]} from one list of rows per kind.
function merge(lists, keyOf) {
  const by = new Map();
  lists.forEach((rows, k) => {
    for (const r of rows) {
      const key = keyOf(r);
      const row = by.get(key) || { key, name: r.name ?? r.key, dept: r.dept || '', counts: KINDS.map(() => 0) };
      row.counts[k] += r.count;
      by.set(key, row);
    }
  });
  const total = (r) => r.counts.reduce((a, b) => a + b, 0);
  return [...by.values()].sort((a, b) => total(b) - total(a) || String(a.name).localeCompare(String(b.name)));
}

function countTable(ctx, head, rows, link) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, head), KINDS.map((k) => h('th', { scope: 'col', class: 'num' }, t(k.text))), h('th', { scope: 'col', class: 'num' }, t('service.total'))),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, r.name ?? t('app.unknown'), r.dept && r.dept !== r.name ? h('span', { class: 'sub' }, ` · ${r.dept}`) : null),
            r.counts.map((n, k) =>
              h('td', { class: 'num' }, n && r.key !== null ? h('a', { href: ctx.hashFor('search', [], { category: KINDS[k].category, ...link(r) }) }, fmtNumber(n)) : fmtNumber(n)),
            ),
            h('td', { class: 'num' }, fmtNumber(r.counts.reduce((a, b) => a + b, 0))),
          ),
        ),
      ),
    ),
  );
}

export async function render(ctx) {
  const { view, query, signal } = ctx;
  const params = rangeParams(query);
  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('service.title')), rangePicker(query, (q) => ctx.setQuery(q))),
    h('p', { class: 'intro' }, t('service.intro')),
  );
  const loading = h('p', { class: 'loading', role: 'status' }, t('app.loading'));
  view.appendChild(loading);
  let teams;
  let staff;
  try {
    [teams, staff] = await Promise.all([
      Promise.all(KINDS.map((k) => get('/v1/stats', { ...params, category: k.category, by: 'dept' }, signal))),
      Promise.all(KINDS.map((k) => senderCounts({ ...params, category: k.category }, false, signal))),
    ]);
  } catch (e) {
    if (e.name === 'AbortError') return null;
    loading.replaceWith(notice(t('app.error', { msg: errorText(e) }), 'error'));
    return null;
  }
  loading.remove();

  const teamRows = merge(
    teams.map((s) => (s.dept || []).map((g) => ({ key: g.key, name: g.key, count: g.count }))),
    (r) => r.key,
  );
  const staffRows = merge(
    staff.map((s) => s.rows),
    (r) => r.key,
  );
  const sampled = staff.some((s) => s.sample);
  const grid = h('div', { class: 'grid' });
  view.appendChild(grid);
  grid.appendChild(
    chartCard(
      t('service.by_team'),
      (box) => {
        stackedBars(
          box,
          t('service.by_team'),
          teamRows.map((r) => r.name ?? t('app.unknown')),
          KINDS.map((k, i) => ({ name: t(k.text), data: teamRows.map((r) => r.counts[i]) })),
          t('service.team'),
        );
        if (teamRows.length) box.appendChild(countTable(ctx, t('service.team'), teamRows, (r) => ({ dept: r.key })));
      },
      { wide: false },
    ),
  );
  const staffCard = h('section', { class: 'card', 'aria-label': t('service.by_staff') }, h('h2', {}, t('service.by_staff')));
  if (!staffRows.length) staffCard.appendChild(notice(t('app.none')));
  else staffCard.appendChild(countTable(ctx, t('service.staff'), staffRows, (r) => ({ sender: r.key })));
  if (sampled) staffCard.appendChild(h('p', { class: 'hint' }, t('service.sample', { n: SAMPLE })));
  grid.appendChild(staffCard);
  return null;
}

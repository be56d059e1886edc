// SPDX-License-Identifier: Apache-2.0
// pages/overview.js: the security admin's start page. For the time range
// picked: the alerts and their share blocked, findings per day by category
// group with the alerts as a line, alerts by category, department and
// channel, the senders with most alerts, and the alerts still open (GET
// /v1/stats, /v1/alerts).

import { collect, get } from '../api.js';
import { barChart, chartCard, dayChart, pieChart } from '../charts.js';
import { categoryBadges, errorText, h, notice, senderText } from '../dom.js';
import { fmtNumber, fmtTime, label, t } from '../i18n.js';
import { rangeParams, rangePicker } from '../range.js';
import { SAMPLE, categoryGroups, countMap, dayAxis, senderCounts } from '../stats.js';

const OPEN_SHOWN = 8;
const TOP_SENDERS = 10;
const OPEN_MAX = 200;

function kpi(text, value, href, kind) {
  const body = [h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-label' }, text)];
  return h('li', { class: `kpi ${kind || ''}` }, href ? h('a', { href }, body) : body);
}

function sum(groups) {
  return (groups || []).reduce((n, g) => n + g.count, 0);
}

export async function render(ctx) {
  const { view, query, signal } = ctx;
  const params = rangeParams(query);
  view.appendChild(
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, t('overview.title')),
      rangePicker(query, (q) => ctx.setQuery(q)),
    ),
  );
  const loading = h('p', { class: 'loading', role: 'status' }, t('app.loading'));
  view.appendChild(loading);

  let alerts;
  let all;
  let open;
  try {
    [alerts, all, open] = await Promise.all([
      get('/v1/stats', { ...params, alerts: 1, by: 'day,category,dept,channel,action' }, signal),
      get('/v1/stats', { ...params, by: 'category' }, signal),
      collect('/v1/alerts', { status: 'open' }, 'alerts', OPEN_MAX, signal),
    ]);
  } catch (e) {
    if (e.name === 'AbortError') return null;
    loading.replaceWith(notice(t('app.error', { msg: errorText(e) }), 'error'));
    return null;
  }
  const groups = categoryGroups(all.category);
  let perGroup;
  let senders;
  try {
    [perGroup, senders] = await Promise.all([
      Promise.all(groups.map((g) => get('/v1/stats', { ...params, category: `${g}.`, by: 'day' }, signal))),
      senderCounts(params, true, signal, TOP_SENDERS),
    ]);
  } catch (e) {
    if (e.name === 'AbortError') return null;
    loading.replaceWith(notice(t('app.error', { msg: errorText(e) }), 'error'));
    return null;
  }
  // More open alerts than listed: all alerts less those confirmed,
  // dismissed or escalated (the server's "reviews", all time).
  let openTotal = open.items.length;
  if (open.more) {
    try {
      const all = await get('/v1/stats', { alerts: 1, by: 'action' }, signal);
      const r = all.reviews;
      openTotal = r ? sum(all.action) - (r.confirmed || 0) - (r.dismissed || 0) - (r.escalated || 0) : null;
    } catch (e) {
      if (e.name === 'AbortError') return null;
      openTotal = null;
    }
  }
  loading.remove();

  const groupTotal = new Map(groups.map((g, i) => [g, sum(perGroup[i].day)]));
  const actions = countMap(alerts.action);
  const openCount = openTotal === null ? `${OPEN_MAX}+` : fmtNumber(openTotal);
  view.appendChild(
    h(
      'ul',
      { class: 'kpis', 'aria-label': t('overview.title') },
      kpi(t('overview.alerts'), fmtNumber(sum(alerts.day)), ctx.hashFor('alerts', [], { status: 'all' })),
      kpi(t('overview.blocked'), fmtNumber(actions.get('block') || 0), ctx.hashFor('alerts', [], { status: 'all', action: 'block' }), 'danger'),
      kpi(t('overview.open'), openCount, ctx.hashFor('alerts', [], { status: 'open' }), 'warn'),
      kpi(t('overview.classified'), fmtNumber(groupTotal.get('classified') || 0), ctx.hashFor('search', [], { category: 'classified.' })),
      kpi(t('overview.pii'), fmtNumber(groupTotal.get('pii') || 0), ctx.hashFor('search', [], { category: 'pii.' })),
    ),
  );

  const grid = h('div', { class: 'grid' });
  view.appendChild(grid);

  const seenDays = [...(alerts.day || []).map((g) => g.key), ...perGroup.flatMap((s) => (s.day || []).map((g) => g.key))];
  const days = dayAxis(params, seenDays);
  const series = groups.map((g, i) => {
    const m = countMap(perGroup[i].day);
    return { name: label('group', g), data: days.map((d) => m.get(d) || 0) };
  });
  const alertDays = countMap(alerts.day);
  grid.appendChild(
    chartCard(
      t('overview.per_day'),
      (box) => dayChart(box, t('overview.per_day'), days, series, [{ name: t('overview.series_alerts'), data: days.map((d) => alertDays.get(d) || 0) }]),
      { wide: true },
    ),
  );
  grid.appendChild(
    chartCard(t('overview.by_category'), (box) =>
      pieChart(
        box,
        t('overview.by_category'),
        (alerts.category || []).map((g) => ({ name: label('category', g.key), value: g.count })),
      ),
    ),
  );
  grid.appendChild(
    chartCard(t('overview.by_dept'), (box) =>
      barChart(box, t('overview.by_dept'), (alerts.dept || []).slice(0, 12).map((g) => ({ name: g.key ?? t('app.unknown'), value: g.count })), {
        nameHead: t('alerts.dept'),
      }),
    ),
  );
  grid.appendChild(
    chartCard(t('overview.by_channel'), (box) =>
      barChart(box, t('overview.by_channel'), (alerts.channel || []).map((g) => ({ name: label('channel', g.key), value: g.count })), {
        nameHead: t('alerts.channel'),
      }),
    ),
  );

  const senderCard = h(
    'section',
    { class: 'card', 'aria-label': t('overview.top_senders') },
    h('h2', {}, t('overview.top_senders')),
  );
  if (!senders.rows.length) senderCard.appendChild(notice(t('app.none')));
  else {
    senderCard.appendChild(
      h(
        'ol',
        { class: 'rank' },
        senders.rows.slice(0, TOP_SENDERS).map((r) =>
          h(
            'li',
            {},
            r.key
              ? h('a', { href: ctx.hashFor('alerts', [], { status: 'all', sender: r.key }) }, senderText({ name: r.name, dept: r.dept }))
              : h('span', {}, t('app.unknown')),
            h('span', { class: 'rank-count' }, fmtNumber(r.count)),
          ),
        ),
      ),
    );
    if (senders.sample) senderCard.appendChild(h('p', { class: 'hint' }, t('overview.senders_sample', { n: SAMPLE })));
  }
  grid.appendChild(senderCard);

  const openCard = h(
    'section',
    { class: 'card', 'aria-label': t('overview.open_reviews') },
    h('h2', {}, t('overview.open_reviews_n', { n: openCount })),
  );
  if (!open.items.length) openCard.appendChild(notice(t('app.none')));
  else {
    openCard.appendChild(
      h(
        'ul',
        { class: 'open-list' },
        open.items.slice(0, OPEN_SHOWN).map((a) =>
          h(
            'li',
            {},
            h('a', { href: ctx.hashFor('events', [a.id]) }, fmtTime(a.time_ms)),
            ' ',
            h('span', { class: 'who' }, senderText(a.sender)),
            ' ',
            categoryBadges(a.categories),
          ),
        ),
      ),
    );
    openCard.appendChild(h('p', {}, h('a', { href: ctx.hashFor('alerts', [], { status: 'open' }) }, t('overview.open_all'))));
  }
  grid.appendChild(openCard);
  return null;
}

// SPDX-License-Identifier: Apache-2.0
// pages/spread.js: how the content of one stored event spread (GET
// /v1/trace/{id}): where it started, who passed it on, to which groups and
// when, who else received it. A graph of the copies (time left to right,
// one row a conversation; an arrow from the copy each came from, with why:
// forwarded, same bytes, a near image, shared text), the copies in time
// order, and the conversations and people reached. Each copy opens its
// event.

import { get } from '../api.js';
import { chartCard, spreadGraph } from '../charts.js';
import { errorText, h, notice } from '../dom.js';
import { fmtNumber, fmtTime, label, t } from '../i18n.js';

function convName(n) {
  return n.conversation_title || n.conversation || t('app.unknown');
}

function who(n) {
  return n.sender_name || n.sender || t('app.unknown');
}

function why(e) {
  const conf = typeof e.confidence === 'number' ? ` ${Math.round(e.confidence * 100)}%` : '';
  return `${t(`spread.reason.${e.reason}`)}${conf}`;
}

function kpi(text, value) {
  return h('li', { class: 'kpi' }, h('span', {}, h('span', { class: 'kpi-value' }, value), h('span', { class: 'kpi-label' }, text)));
}

export async function render(ctx) {
  const { view, rest, signal } = ctx;
  const id = rest[0] || '';
  view.appendChild(
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, t('spread.title')),
      h('a', { href: ctx.hashFor('events', [id]) }, `← ${t('spread.back')}`),
    ),
  );
  let g;
  try {
    g = await get(`/v1/trace/${encodeURIComponent(id)}`, {}, signal);
  } catch (e) {
    if (e.name === 'AbortError') return null;
    view.appendChild(notice(e.status === 404 ? t('event.not_found', { id }) : t('app.error', { msg: errorText(e) }), 'error'));
    return null;
  }
  const nodes = g.nodes || [];
  const edges = g.edges || [];
  const origin = g.origin && g.origin.id;
  const reached = g.reached || { conversations: [], people: [] };
  const lanes = [];
  const laneOf = new Map();
  for (const n of nodes) {
    const key = n.conversation || `(${n.id})`;
    if (!laneOf.has(key)) {
      laneOf.set(key, lanes.length);
      lanes.push(convName(n));
    }
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const when = (n) => (typeof n.time_ms === 'number' ? n.time_ms : Date.parse(n.time));
  const tipOf = (n) => `${fmtTime(when(n))} · ${who(n)} → ${convName(n)} (${label('channel', n.channel)})`;

  view.appendChild(
    h(
      'ul',
      { class: 'kpis', 'aria-label': t('spread.title') },
      kpi(t('spread.copies'), fmtNumber(nodes.length)),
      kpi(t('spread.conversations'), fmtNumber(reached.conversations.length)),
      kpi(t('spread.people'), fmtNumber(reached.people.length)),
    ),
  );
  if (origin) {
    const o = byId.get(origin);
    view.appendChild(
      h(
        'p',
        { class: 'spread-origin' },
        `${t('spread.origin')}: `,
        h('a', { href: ctx.hashFor('events', [origin]) }, origin),
        o ? ` · ${tipOf(o)}` : '',
      ),
    );
  }
  if (g.truncated) view.appendChild(notice(t('spread.truncated'), 'warn'));

  // The card goes into the page first: the graph's view needs its size.
  const card = chartCard(t('spread.graph'), () => {}, { wide: true });
  view.appendChild(card);
  spreadGraph(
    card.querySelector('.card-body'),
    t('spread.graph'),
    {
      lanes,
      nodes: nodes.map((n, i) => ({
        id: n.id,
        order: i,
        lane: laneOf.get(n.conversation || `(${n.id})`),
        short: `${who(n)}`,
        label: tipOf(n),
        origin: n.id === origin,
        target: g.target && n.id === g.target.id,
      })),
      edges: edges.map((e) => ({ from: e.from, to: e.to, label: t(`spread.reason.${e.reason}`), tip: why(e) })),
    },
    (picked) => ctx.navigate('events', [picked]),
  );

  // the copies in time order
  const into = new Map(edges.map((e) => [e.to, e]));
  view.appendChild(
    h(
      'section',
      { class: 'card wide', 'aria-label': t('spread.timeline') },
      h('h2', {}, t('spread.timeline')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [t('spread.time'), t('spread.sender'), t('spread.conversation'), t('spread.channel'), t('spread.came_from'), t('spread.why')].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            nodes.map((n) => {
              const e = into.get(n.id);
              return h(
                'tr',
                { class: n.id === origin ? 'origin' : '' },
                h('td', {}, h('a', { href: ctx.hashFor('events', [n.id]) }, fmtTime(when(n)))),
                h('td', {}, who(n)),
                h('td', {}, convName(n)),
                h('td', {}, label('channel', n.channel)),
                h('td', {}, e ? e.from : t('spread.is_origin')),
                h('td', {}, e ? why(e) : ''),
              );
            }),
          ),
        ),
      ),
    ),
  );

  // where it reached
  const grid = h('div', { class: 'grid' });
  grid.append(
    h(
      'section',
      { class: 'card', 'aria-label': t('spread.conversations') },
      h('h2', {}, t('spread.conversations')),
      h(
        'ul',
        { class: 'plain' },
        reached.conversations.map((c) => h('li', {}, `${c.title || c.id || t('app.unknown')} · ${fmtNumber(c.copies)} · ${fmtTime(typeof c.first_time_ms === 'number' ? c.first_time_ms : Date.parse(c.first_time))}`)),
      ),
    ),
    h(
      'section',
      { class: 'card', 'aria-label': t('spread.people') },
      h('h2', {}, t('spread.people')),
      h(
        'ul',
        { class: 'plain' },
        reached.people.map((p) =>
          h('li', {}, `${p.name || p.id} · ${t('spread.sent', { n: p.sent })} · ${t('spread.received', { n: p.received })}`),
        ),
      ),
    ),
  );
  view.appendChild(grid);
  return null;
}

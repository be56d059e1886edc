// SPDX-License-Identifier: Apache-2.0
// range.js: the time-range picker of the overview and the customer-service
// page. The range lives in the route's query (range=7d, or range=custom
// with from= and to=), so a view can be bookmarked. Days are China days
// (UTC+8), as the server reads "YYYY-MM-DD"; "until" is exclusive there, so
// the last day chosen is sent as the next day.

import { field, h, select } from './dom.js';
import { t } from './i18n.js';

const PRESETS = ['today', '7d', '30d', '90d', 'all', 'custom'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function todayCN() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The API's since/until for a route query.
export function rangeParams(q, fallback = '30d') {
  const r = PRESETS.includes(q.range) ? q.range : fallback;
  const today = todayCN();
  switch (r) {
    case 'today':
      return { since: today, until: addDays(today, 1) };
    case '7d':
      return { since: addDays(today, -6), until: addDays(today, 1) };
    case '30d':
      return { since: addDays(today, -29), until: addDays(today, 1) };
    case '90d':
      return { since: addDays(today, -89), until: addDays(today, 1) };
    case 'custom':
      return {
        since: DAY.test(q.from || '') ? q.from : undefined,
        until: DAY.test(q.to || '') ? addDays(q.to, 1) : undefined,
      };
    default:
      return {};
  }
}

// The picker: onChange({range, from, to}) with the new choice.
export function rangePicker(q, onChange, fallback = '30d') {
  const current = PRESETS.includes(q.range) ? q.range : fallback;
  const preset = select(
    'range',
    PRESETS.map((p) => [p, t(`range.${p}`)]),
    current,
  );
  const from = h('input', { type: 'date', name: 'from', value: q.from || '' });
  const to = h('input', { type: 'date', name: 'to', value: q.to || '' });
  const custom = h(
    'div',
    { class: 'range-custom', hidden: current !== 'custom' },
    field(t('range.from'), from),
    field(t('range.to'), to),
    h('button', { type: 'submit' }, t('range.apply')),
  );
  preset.addEventListener('change', () => {
    if (preset.value === 'custom') {
      custom.hidden = false;
      from.focus();
    } else {
      onChange({ range: preset.value });
    }
  });
  return h(
    'form',
    {
      class: 'range',
      role: 'search',
      'aria-label': t('range.label'),
      onsubmit: (e) => {
        e.preventDefault();
        onChange({ range: 'custom', from: from.value, to: to.value });
      },
    },
    field(t('range.label'), preset),
    custom,
  );
}

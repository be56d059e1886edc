// SPDX-License-Identifier: Apache-2.0
// stats.js: counts the pages chart, from GET /v1/stats. Counting by sender
// (by=sender) is new in the server: when it answers 400 for it, the counts
// are made here from the listing (GET /v1/alerts or /v1/search) instead, over
// its newest SAMPLE items, and the page says so.

import { collect, get } from './api.js';
import { addDays } from './range.js';

export const SAMPLE = 1000;
let senderDimension = null; // null: not known yet; true/false once asked
let probe = null; // the first by=sender request, while its answer is awaited

// A by=sender group: its key is "name (id)", or the id alone (null: none).
function senderGroup(g) {
  const m = g.key === null ? null : /^(.*) \(([^()]*)\)$/.exec(g.key);
  if (m) return { key: m[2], name: m[1], dept: '', count: g.count };
  return { key: g.key, name: g.key, dept: '', count: g.count };
}

// Counts by sender: {rows: [{key, name, dept, count}], sample: n or null}.
// params: the filters (since, until, category, ...); alerts: alerts only;
// limit: the top ones only (when the server counts them).
export async function senderCounts(params, alerts, signal, limit = 200) {
  if (senderDimension === null && probe) await probe.catch(() => null);
  if (senderDimension !== false) {
    try {
      const request = get('/v1/stats', { ...params, alerts: alerts ? 1 : undefined, by: 'sender', limit }, signal);
      if (senderDimension === null) probe = request;
      const s = await request;
      senderDimension = true;
      return { rows: (s.sender || []).map(senderGroup), sample: null };
    } catch (e) {
      if (!e || e.status !== 400) throw e;
      senderDimension = false;
    }
  }
  const { items, more } = alerts
    ? await collect('/v1/alerts', params, 'alerts', SAMPLE, signal)
    : await collect('/v1/search', { ...params, text: 0 }, 'hits', SAMPLE, signal);
  const by = new Map();
  for (const it of items) {
    const s = it.sender || {};
    const key = s.id || s.name || null;
    const row = by.get(key) || { key, name: s.name || s.id || null, dept: s.dept || '', count: 0 };
    row.count += 1;
    by.set(key, row);
  }
  const rows = [...by.values()].sort((a, b) => b.count - a.count || String(a.name).localeCompare(String(b.name)));
  return { rows, sample: more ? items.length : null };
}

// The days of a range, for a continuous axis: since .. until-1 when both are
// known and at most a year apart, else the days that have data.
export function dayAxis(params, seen) {
  const days = [...new Set(seen)].sort();
  let from = params.since;
  let to = params.until ? addDays(params.until, -1) : null;
  if (!from && days.length) [from] = days;
  if (!to && days.length) to = days[days.length - 1];
  if (!from || !to || from > to) return days;
  const out = [];
  for (let d = from; d <= to && out.length <= 366; d = addDays(d, 1)) out.push(d);
  return out.length > 366 ? days : out;
}

// [{key, count}] -> Map(key -> count)
export function countMap(groups) {
  return new Map((groups || []).map((g) => [g.key, g.count]));
}

// The top-level groups of categories ("pii.cn_mobile" -> "pii").
export function categoryGroups(groups) {
  const seen = new Set();
  for (const g of groups || []) if (g.key) seen.add(g.key.split('.')[0]);
  return [...seen];
}

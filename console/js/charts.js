// SPDX-License-Identifier: Apache-2.0
// charts.js: Apache ECharts (vendor/echarts.min.js, a global "echarts")
// behind a few chart kinds the pages use, each with its data as a table
// beside it (for screen readers, keyboards, and when the library is not
// there). Charts are resized with their box and disposed when the page
// changes (disposeCharts, called by the router).

import { h, notice } from './dom.js';
import { t } from './i18n.js';

const live = new Set();
const PALETTE = ['#1d3557', '#e63946', '#2a9d8f', '#f4a261', '#457b9d', '#8d6cab', '#e9c46a', '#6c757d', '#264653', '#bc4749'];

function lib() {
  return typeof window !== 'undefined' && window.echarts ? window.echarts : null;
}

export function disposeCharts() {
  for (const { chart, observer } of live) {
    observer.disconnect();
    chart.dispose();
  }
  live.clear();
}

function mount(box, option, description) {
  const echarts = lib();
  if (!echarts) return null;
  const el = h('div', { class: 'chart', role: 'img', 'aria-label': description });
  box.appendChild(el);
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({
    color: PALETTE,
    aria: { enabled: true },
    animation: false,
    textStyle: { fontFamily: 'inherit' },
    ...option,
  });
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(el);
  live.add({ chart, observer });
  return chart;
}

// The data under a chart: a <details> with a table of rows.
function dataTable(head, rows) {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, t('app.data_table')),
    h(
      'table',
      { class: 'table compact' },
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
    ),
  );
}

// A card with a title and a chart or, without data, a note.
export function chartCard(title, build, opts = {}) {
  const body = h('div', { class: 'card-body' });
  const card = h('section', { class: `card ${opts.wide ? 'wide' : ''}`, 'aria-label': title }, h('h2', {}, title), body);
  build(body);
  return card;
}

// Bars of [{name, value}] (horizontal when there are many or long names).
export function barChart(box, title, items, opts = {}) {
  if (!items.length) {
    box.appendChild(notice(t('app.none')));
    return;
  }
  const horizontal = opts.horizontal ?? true;
  const names = items.map((i) => i.name);
  const values = items.map((i) => i.value);
  const cat = { type: 'category', data: horizontal ? [...names].reverse() : names, axisLabel: { width: 110, overflow: 'truncate' } };
  const val = { type: 'value', minInterval: 1 };
  const chart = mount(
    box,
    {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: 'bar', data: horizontal ? [...values].reverse() : values, name: opts.seriesName || t('app.count'), barMaxWidth: 28 }],
    },
    title,
  );
  if (!chart) box.appendChild(notice(t('app.no_charts')));
  box.appendChild(dataTable([opts.nameHead || '', t('app.count')], items.map((i) => [i.name, String(i.value)])));
}

export function pieChart(box, title, items) {
  if (!items.length) {
    box.appendChild(notice(t('app.none')));
    return;
  }
  const chart = mount(
    box,
    {
      tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
      legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
      series: [
        {
          type: 'pie',
          radius: ['40%', '70%'],
          center: ['35%', '50%'],
          label: { show: false },
          data: items,
        },
      ],
    },
    title,
  );
  if (!chart) box.appendChild(notice(t('app.no_charts')));
  box.appendChild(dataTable(['', t('app.count')], items.map((i) => [i.name, String(i.value)])));
}

// Per-day stacked bars (series [{name, data: [..per day]}]) and lines
// (lines [{name, data}]) over days [...].
export function dayChart(box, title, days, series, lines, stacked = true) {
  if (!days.length) {
    box.appendChild(notice(t('app.none')));
    return;
  }
  const chart = mount(
    box,
    {
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { type: 'scroll', top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        ...series.map((s) => ({ type: 'bar', stack: stacked ? 'all' : undefined, name: s.name, data: s.data, barMaxWidth: 36 })),
        ...lines.map((s) => ({ type: 'line', name: s.name, data: s.data, symbolSize: 6, z: 5 })),
      ],
    },
    title,
  );
  if (!chart) box.appendChild(notice(t('app.no_charts')));
  const all = [...series, ...lines];
  box.appendChild(
    dataTable(
      [t('overview.day'), ...all.map((s) => s.name)],
      days.map((d, i) => [d, ...all.map((s) => String(s.data[i] ?? 0))]),
    ),
  );
}

// Horizontal stacked bars: names [...], series [{name, data: [..per name]}].
export function stackedBars(box, title, names, series, nameHead) {
  if (!names.length) {
    box.appendChild(notice(t('app.none')));
    return;
  }
  const chart = mount(
    box,
    {
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: [...names].reverse(), axisLabel: { width: 110, overflow: 'truncate' } },
      series: series.map((s) => ({ type: 'bar', stack: 'all', name: s.name, data: [...s.data].reverse(), barMaxWidth: 28 })),
    },
    title,
  );
  if (!chart) box.appendChild(notice(t('app.no_charts')));
  box.appendChild(
    dataTable(
      [nameHead || '', ...series.map((s) => s.name)],
      names.map((n, i) => [n, ...series.map((s) => String(s.data[i] ?? 0))]),
    ),
  );
}

// The spread of a copy (GET /v1/trace/{id}): each copy a node placed by
// time (left to right) and conversation (one row each), an arrow from the
// copy it came from, labelled with why; the origin and the traced copy
// marked. items: {nodes:[{id, lane, order, label, origin, target}],
// lanes:[names], edges:[{from, to, label}]}.
export function spreadGraph(box, title, items, onPick) {
  if (!items.nodes.length) {
    box.appendChild(notice(t('app.none')));
    return;
  }
  const laneH = 70;
  const stepW = 120;
  const height = Math.max(220, items.lanes.length * laneH + 60);
  const chart = mount(
    box,
    {
      tooltip: { formatter: (p) => (p.dataType === 'edge' ? p.data.tip : p.data.tip) },
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: 9,
          label: { show: true, position: 'bottom', formatter: (p) => p.data.short, fontSize: 11 },
          edgeLabel: { show: true, formatter: (p) => p.data.label, fontSize: 10 },
          lineStyle: { width: 1.5, opacity: 0.8, curveness: 0.15 },
          data: items.nodes.map((n) => ({
            name: n.id,
            x: n.order * stepW,
            y: n.lane * laneH,
            short: n.short,
            tip: n.label,
            symbolSize: n.origin || n.target ? 22 : 14,
            itemStyle: { color: n.origin ? PALETTE[1] : n.target ? PALETTE[3] : PALETTE[0] },
          })),
          links: items.edges.map((e) => ({ source: e.from, target: e.to, label: e.label, tip: e.tip })),
        },
      ],
    },
    title,
  );
  if (chart) {
    chart.getDom().style.height = `${height}px`;
    chart.resize();
    if (onPick) chart.on('click', (p) => p.dataType === 'node' && onPick(p.data.name));
  }
  box.appendChild(
    dataTable(
      [t('spread.from'), t('spread.to'), t('spread.why')],
      items.edges.map((e) => [e.from, e.to, e.label]),
    ),
  );
}

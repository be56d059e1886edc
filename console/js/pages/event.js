// SPDX-License-Identifier: Apache-2.0
// pages/event.js: one stored event (GET /v1/events/{id}?context=N): the
// message in its conversation with the messages before and after it, each
// finding highlighted at its exact offsets (byte offsets into the UTF-8
// text, mapped by text.js), the attachments with their extracted text, the
// findings in a table, and the review form (POST /v1/alerts/{id}/review).
// Personal data comes masked; "show the original" asks again with
// unmask=1, which the server records in the audit trail.

import { get, post } from '../api.js';
import { badge, confirmDialog, errorText, field, h, nextId, notice, senderText, toast } from '../dom.js';
import { fmtTime, label, t } from '../i18n.js';
import { marked, toIndexRanges } from '../text.js';

const CONTEXT = 5;
const DECISIONS = ['confirm', 'dismiss', 'escalate', 'comment'];

function findingTitle(f) {
  return `${label('category', f.category)} · ${label('action', f.action)}`;
}

// Findings of one source ("text", "attachment:0") as string ranges of text.
function rangesOf(text, findings, source, idPrefix) {
  const list = [];
  findings.forEach((f, i) => {
    if (f.source === source && f.end > f.start)
      list.push({ start: f.start, end: f.end, cls: `hl-${f.category.split('.')[0]}`, title: findingTitle(f), id: idPrefix ? `${idPrefix}-${i}` : null, index: i });
  });
  return toIndexRanges(text || '', list);
}

// Whether the server masked personal data in this event: "masked" counts
// the spans it masked; a server that does not say is asked by looking for
// a personal-data finding's text starred out.
function isMasked(ev) {
  if (typeof ev.masked === 'number') return ev.masked > 0;
  const findings = (ev.verdict && ev.verdict.findings) || [];
  return findings.some((f) => {
    if (!f.category.startsWith('pii') || f.end <= f.start) return false;
    const text = f.source === 'text' ? ev.text : attachmentText(ev, f.source);
    const [r] = rangesOf(text, [f], f.source, null);
    return Boolean(r && text.slice(r.start, r.end).includes('*'));
  });
}

function attachmentText(ev, source) {
  const n = Number(source.split(':')[1]);
  const a = (ev.attachments || [])[n];
  return (a && a.text) || '';
}

function textBlock(text, ranges, cls) {
  if (!text) return h('div', { class: `msg-text empty ${cls || ''}` }, t('event.no_text'));
  return h('div', { class: `msg-text ${cls || ''}` }, marked(text, ranges));
}

function message(ctx, ev, isThis, prefix) {
  const findings = (ev.verdict && ev.verdict.findings) || [];
  const ranges = rangesOf(ev.text, findings, 'text', isThis ? prefix : null);
  const flagged = ev.verdict && ev.verdict.action !== 'allow';
  return h(
    'li',
    { class: `msg ${isThis ? 'this' : ''}`, 'aria-current': isThis ? 'true' : null },
    h(
      'div',
      { class: 'msg-head' },
      h('span', { class: 'who' }, senderText(ev.sender)),
      ev.sender && ev.sender.role ? h('span', { class: 'sub' }, label('role', ev.sender.role)) : null,
      h('time', { datetime: new Date(ev.time).toISOString() }, fmtTime(ev.time, true)),
      isThis ? h('strong', { class: 'this-label' }, t('event.this')) : null,
      flagged ? badge('action', ev.verdict.action) : null,
      !isThis ? h('a', { href: ctx.hashFor('events', [ev.id]), class: 'open-link', 'aria-label': t('event.open_event', { id: ev.id }) }, '→') : null,
    ),
    ev.content_deleted ? notice(t('event.content_deleted')) : textBlock(ev.text, ranges),
    !isThis && (ev.attachments || []).length ? h('div', { class: 'sub' }, `${t('event.attachments')}：${(ev.attachments || []).map((a) => a.name || a.kind).join('，')}`) : null,
  );
}

function attachments(ev, prefix) {
  const list = ev.attachments || [];
  if (!list.length) return null;
  const findings = (ev.verdict && ev.verdict.findings) || [];
  return h(
    'section',
    { class: 'card', 'aria-labelledby': `${prefix}-att` },
    h('h2', { id: `${prefix}-att` }, t('event.attachments')),
    h(
      'ol',
      { class: 'attachments' },
      list.map((a, n) =>
        h(
          'li',
          {},
          h(
            'div',
            { class: 'att-head' },
            h('strong', {}, a.name || t('event.source_att', { n: n + 1 })),
            ' ',
            h('span', { class: 'sub' }, [a.kind ? label('attachment', a.kind) : null, a.size !== undefined ? t('event.att_size', { n: a.size }) : null].filter(Boolean).join(' · ')),
          ),
          a.text
            ? h('div', {}, h('div', { class: 'sub' }, t('event.att_text')), textBlock(a.text, rangesOf(a.text, findings, `attachment:${n}`, prefix), 'att-text'))
            : h('div', { class: 'sub' }, t('event.att_no_text')),
        ),
      ),
    ),
  );
}

function findingsTable(ev, prefix) {
  const findings = (ev.verdict && ev.verdict.findings) || [];
  const excerpts = (ev.verdict && ev.verdict.excerpts) || [];
  if (!findings.length) return null;
  const rows = findings.map((f, i) => {
    const text = f.source === 'text' ? ev.text || '' : attachmentText(ev, f.source);
    const [r] = rangesOf(text, [f], f.source, null);
    const matched = r ? text.slice(r.start, r.end) : excerpts[i] || '';
    const where = f.source === 'text' ? t('event.source_text') : t('event.source_att', { n: Number(f.source.split(':')[1]) + 1 });
    const jump = r
      ? h(
          'button',
          {
            type: 'button',
            class: 'link-button',
            onclick: () => {
              const mark = document.getElementById(`${prefix}-${i}`);
              if (mark) {
                mark.setAttribute('tabindex', '-1');
                mark.scrollIntoView({ block: 'center' });
                mark.focus();
              }
            },
          },
          matched,
        )
      : h('span', {}, matched);
    return h(
      'tr',
      {},
      h('td', {}, h('span', { class: `tag tag-${f.category.split('.')[0]}`, title: f.category }, label('category', f.category))),
      h('td', {}, where),
      h('td', { class: 'matched' }, jump),
      h('td', {}, h('code', {}, f.rule)),
      h('td', {}, badge('action', f.action), ' ', badge('severity', f.severity)),
      h('td', {}, typeof f.confidence === 'number' ? f.confidence.toFixed(2) : ''),
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': `${prefix}-fh` },
    h('h2', { id: `${prefix}-fh` }, t('event.findings')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table compact findings' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('event.category'), t('event.source'), t('event.matched'), t('event.rule'), t('event.verdict'), t('event.confidence')].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h('tbody', {}, rows),
      ),
    ),
  );
}

function meta(ev, review) {
  const conv = ev.conversation || {};
  const convText = [
    conv.title || conv.id || t('app.unknown'),
    conv.type ? label('conversation', conv.type) : null,
    conv.external === true ? t('event.external') : conv.external === false ? t('event.internal') : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const item = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
  return h(
    'section',
    { class: 'card', 'aria-label': t('event.meta') },
    h('h2', {}, t('event.meta')),
    h(
      'dl',
      { class: 'meta' },
      item(t('event.id'), h('code', {}, ev.id)),
      item(t('event.time'), fmtTime(ev.time, true)),
      item(t('event.channel'), label('channel', ev.channel)),
      item(t('event.sender'), [senderText(ev.sender), ev.sender && ev.sender.id ? h('span', { class: 'sub' }, ` (${ev.sender.id})`) : null]),
      item(t('event.conversation'), convText),
      item(t('event.verdict'), ev.verdict ? [badge('action', ev.verdict.action), ' ', badge('severity', ev.verdict.severity)] : ''),
      item(t('event.status'), h('span', { class: 'review-status' }, badge('status', review.status))),
    ),
  );
}

function reviewPanel(ev, review, onReviewed) {
  const id = nextId('decision');
  const radios = DECISIONS.map((d, i) =>
    h('label', { class: 'radio' }, h('input', { type: 'radio', name: id, value: d, checked: i === 0 }), ' ', label('decision', d)),
  );
  const note = h('textarea', { name: 'note', rows: '3', maxlength: '4000', required: true });
  const status = h('div', { class: 'form-status', role: 'status' });
  const last = h('p', { class: 'hint review-last' });
  const showLast = (r) => {
    last.textContent = r.reviews
      ? t('review.last', { by: r.last_by || '?', at: fmtTime(r.last_ms), n: r.reviews })
      : t('review.none');
  };
  showLast(review);
  const button = h('button', { type: 'submit', class: 'primary' }, t('review.submit'));
  const form = h(
    'form',
    {
      class: 'card review',
      novalidate: true,
      'aria-label': t('review.title'),
      onsubmit: async (e) => {
        e.preventDefault();
        status.textContent = '';
        const decision = form.querySelector(`input[name="${id}"]:checked`).value;
        if (!note.value.trim()) {
          status.textContent = t('review.note_required');
          note.focus();
          return;
        }
        button.disabled = true;
        try {
          const res = await post(`/v1/alerts/${encodeURIComponent(ev.id)}/review`, { decision, note: note.value.trim() });
          note.value = '';
          const msg = t('review.done', { status: label('status', res.review.status) });
          status.textContent = msg;
          toast(msg, 'ok');
          showLast(res.review);
          onReviewed(res.review);
        } catch (err) {
          status.textContent = errorText(err);
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h2', {}, t('review.title')),
    last,
    h('fieldset', { class: 'radios' }, h('legend', {}, t('review.decision')), radios),
    field(t('review.note'), note, t('review.note_hint')),
    status,
    h('div', { class: 'actions' }, button),
  );
  return form;
}

export async function render(ctx) {
  const { view, rest, signal } = ctx;
  const id = rest[0] || '';
  let unmasked = false;
  const head = h(
    'div',
    { class: 'page-head' },
    h('h1', {}, t('event.title')),
    h('a', { href: ctx.hashFor('alerts') }, `← ${t('event.back')}`),
    h('a', { href: ctx.hashFor('spread', [id]), class: 'spread-link' }, t('spread.open')),
  );
  const body = h('div', { class: 'event-page' });
  view.append(head, body);

  async function load() {
    let data;
    try {
      data = await get(`/v1/events/${encodeURIComponent(id)}`, { context: CONTEXT, unmask: unmasked ? 1 : undefined }, signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
      body.replaceChildren(notice(e.status === 404 ? t('event.not_found', { id }) : t('app.error', { msg: errorText(e) }), 'error'));
      return;
    }
    const ev = data.event;
    const prefix = nextId('ev');
    const review = data.review || { status: 'unknown', reviews: 0 };
    const conv = ev.conversation || {};

    const maskBar = h('div', { class: 'mask-bar' });
    if (unmasked) {
      maskBar.append(
        notice(t('event.unmasked'), 'warn'),
        h('button', { type: 'button', onclick: () => { unmasked = false; load(); } }, t('event.remask')),
      );
    } else if (isMasked(ev)) {
      maskBar.append(
        notice(t('event.masked')),
        h(
          'button',
          {
            type: 'button',
            class: 'unmask',
            onclick: async () => {
              if (await confirmDialog(t('event.unmask_confirm'), t('event.unmask'))) {
                unmasked = true;
                load();
              }
            },
          },
          t('event.unmask'),
        ),
      );
    }

    const thread = h(
      'section',
      { class: 'card conversation', 'aria-labelledby': `${prefix}-conv` },
      h('h2', { id: `${prefix}-conv` }, `${t('event.context')}：${conv.title || conv.id || t('app.unknown')}`),
      h('p', { class: 'hint' }, t('event.context_hint', { n: CONTEXT })),
      maskBar,
      h(
        'ol',
        { class: 'thread' },
        (data.before || []).map((e) => message(ctx, e, false)),
        message(ctx, ev, true, prefix),
        (data.after || []).map((e) => message(ctx, e, false)),
      ),
    );
    const side = h('div', { class: 'event-side' }, meta(ev, review));
    if (ev.verdict && ev.verdict.action !== 'allow')
      side.appendChild(
        reviewPanel(ev, review, (r) => {
          const s = side.querySelector('.review-status');
          if (s) s.replaceChildren(badge('status', r.status));
        }),
      );
    body.replaceChildren(
      h('div', { class: 'event-main' }, thread, findingsTable(ev, prefix), attachments(ev, prefix)),
      side,
    );
    const first = body.querySelector('.msg.this mark');
    if (first) first.scrollIntoView({ block: 'nearest' });
  }

  await load();
  return null;
}

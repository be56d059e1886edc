// SPDX-License-Identifier: Apache-2.0
// pages/holds.js: the security admin's approvals for the database guard
// (levee dbguard): the statements it holds for a second person (GET
// /v1/holds, refreshed every few seconds), each approved (it runs at once)
// or refused (its client gets SQLSTATE 42501) after a confirmation. The
// guard checks that the signed-in account is not the statement's own
// database user and is among the policy's approvers, and records who
// decided.

import { get, post } from '../api.js';
import { confirmDialog, errorText, h, notice, toast } from '../dom.js';
import { t } from '../i18n.js';

const REFRESH_MS = 5000;

export async function render(ctx) {
  const { view, signal } = ctx;
  view.appendChild(h('div', { class: 'page-head' }, h('h1', {}, t('holds.title'))));
  view.appendChild(h('p', { class: 'lead' }, t('holds.lead')));
  const box = h('div', { class: 'table-wrap', 'aria-live': 'polite' });
  view.appendChild(h('section', { class: 'card', 'aria-label': t('holds.title') }, box));

  async function decide(hold, approve) {
    const text = approve ? t('holds.confirm_approve', { id: hold.id, who: `${hold.user}@${hold.database}` }) : t('holds.confirm_deny', { id: hold.id });
    if (!(await confirmDialog(text))) return;
    try {
      await post(`/v1/holds/${encodeURIComponent(hold.id)}/${approve ? 'approve' : 'deny'}`);
      toast(approve ? t('holds.approved', { id: hold.id }) : t('holds.denied', { id: hold.id }));
    } catch (e) {
      toast(errorText(e), 'error');
    }
    await refresh();
  }

  function row(hold) {
    return h(
      'tr',
      { dataset: { hold: hold.id } },
      h('th', { scope: 'row' }, h('code', {}, hold.id)),
      h('td', {}, `${hold.user}@${hold.database}`),
      h('td', {}, hold.client),
      h('td', {}, t('holds.seconds', { n: hold.waited_s })),
      h('td', {}, hold.category, hold.rule ? h('div', { class: 'muted' }, hold.rule) : null),
      h('td', {}, hold.reason),
      h('td', {}, h('code', { class: 'sql' }, hold.statement)),
      h(
        'td',
        { class: 'row-actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => decide(hold, true) }, t('holds.approve')),
        h('button', { type: 'button', onclick: () => decide(hold, false) }, t('holds.deny')),
      ),
    );
  }

  async function refresh() {
    try {
      const r = await get('/v1/holds', null, signal);
      if (!r.holds.length) {
        box.replaceChildren(notice(t('holds.none')));
        return;
      }
      const head = ['holds.id', 'holds.who', 'holds.client', 'holds.waited', 'holds.category', 'holds.reason', 'holds.statement', 'holds.actions'];
      box.replaceChildren(
        h(
          'table',
          { class: 'table' },
          h('thead', {}, h('tr', {}, head.map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, r.holds.map(row)),
        ),
      );
    } catch (e) {
      if (e.name !== 'AbortError') box.replaceChildren(notice(errorText(e), 'error'));
    }
  }

  await refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}

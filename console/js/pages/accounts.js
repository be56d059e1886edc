// SPDX-License-Identifier: Apache-2.0
// pages/accounts.js: the system admin's page (三员分立: accounts and
// integrations, nothing else): the accounts (GET /v1/accounts), a new one
// with its one-time password shown once, disable, enable and reset; the API
// tokens (GET /v1/tokens), a new integration token shown once, revoke.

import { api, get, post } from '../api.js';
import { confirmDialog, errorText, field, h, notice, select, toast } from '../dom.js';
import { label, t } from '../i18n.js';

const ROLES = ['security-admin', 'auditor', 'system-admin'];
const NAME = '^[a-z0-9][a-z0-9._\\-]{0,62}$';

// A secret shown once, in a box the holder can select and copy.
function shownOnce(text, secret) {
  return h('div', { class: 'notice notice-warn once', role: 'alert' }, h('p', {}, text), h('code', { class: 'secret' }, secret));
}

export async function render(ctx) {
  const { view, signal, session } = ctx;
  view.appendChild(h('div', { class: 'page-head' }, h('h1', {}, t('accounts.title'))));
  const out = h('div', { class: 'once-box', 'aria-live': 'polite' });
  const accountsBox = h('div', { class: 'table-wrap' });
  const tokensBox = h('div', { class: 'table-wrap' });

  async function act(fn, confirmText) {
    if (confirmText && !(await confirmDialog(confirmText))) return;
    try {
      await fn();
      await refresh();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  function accountRow(a) {
    const state = a.disabled ? t('accounts.disabled') : a.must_change_password ? t('accounts.must_change') : t('accounts.active');
    const self = a.name === session.name;
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, a.name),
      h('td', {}, label('role', a.role)),
      h('td', {}, state),
      h(
        'td',
        { class: 'row-actions' },
        a.disabled
          ? h('button', { type: 'button', onclick: () => act(() => post(`/v1/accounts/${encodeURIComponent(a.name)}/enable`)) }, t('accounts.enable'))
          : h(
              'button',
              {
                type: 'button',
                disabled: self,
                onclick: () => act(() => post(`/v1/accounts/${encodeURIComponent(a.name)}/disable`), t('accounts.confirm_disable', { name: a.name })),
              },
              t('accounts.disable'),
            ),
        h(
          'button',
          {
            type: 'button',
            disabled: self,
            onclick: () =>
              act(async () => {
                const r = await post(`/v1/accounts/${encodeURIComponent(a.name)}/reset`);
                out.replaceChildren(shownOnce(t('accounts.otp', { name: a.name }), r.one_time_password));
              }, t('accounts.confirm_reset', { name: a.name })),
          },
          t('accounts.reset'),
        ),
      ),
    );
  }

  function tokenRow(tk) {
    return h(
      'tr',
      {},
      h('th', { scope: 'row' }, tk.name),
      h('td', {}, label('role', tk.role)),
      h('td', {}, tk.owner),
      h('td', {}, tk.revoked ? t('accounts.revoked') : t('accounts.active')),
      h(
        'td',
        {},
        tk.revoked
          ? null
          : h(
              'button',
              {
                type: 'button',
                onclick: () => act(() => api('DELETE', `/v1/tokens/${encodeURIComponent(tk.name)}`), t('accounts.confirm_revoke', { name: tk.name })),
              },
              t('accounts.revoke'),
            ),
      ),
    );
  }

  function table(head, rows) {
    return h(
      'table',
      { class: 'table' },
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows),
    );
  }

  async function refresh() {
    try {
      const [accounts, tokens] = await Promise.all([get('/v1/accounts', null, signal), get('/v1/tokens', null, signal)]);
      accountsBox.replaceChildren(
        table([t('accounts.name'), t('accounts.role'), t('accounts.state'), t('accounts.actions')], accounts.accounts.map(accountRow)),
      );
      tokensBox.replaceChildren(
        tokens.tokens.length
          ? table([t('accounts.name'), t('accounts.role'), t('accounts.owner'), t('accounts.state'), t('accounts.actions')], tokens.tokens.map(tokenRow))
          : notice(t('app.none')),
      );
    } catch (e) {
      if (e.name !== 'AbortError') accountsBox.replaceChildren(notice(errorText(e), 'error'));
    }
  }

  const newName = h('input', { type: 'text', name: 'name', required: true, pattern: NAME, autocapitalize: 'off', spellcheck: 'false' });
  const newRole = select('role', ROLES.map((r) => [r, label('role', r)]), 'security-admin');
  const accountForm = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': t('accounts.new'),
      onsubmit: (e) => {
        e.preventDefault();
        if (!newName.reportValidity()) return;
        act(async () => {
          const r = await post('/v1/accounts', { name: newName.value, role: newRole.value });
          out.replaceChildren(shownOnce(t('accounts.otp', { name: r.account.name }), r.one_time_password));
          newName.value = '';
        });
      },
    },
    field(t('accounts.name'), newName),
    field(t('accounts.role'), newRole),
    h('button', { type: 'submit', class: 'primary' }, t('accounts.create')),
  );
  const tokenName = h('input', { type: 'text', name: 'token', required: true, pattern: NAME, autocapitalize: 'off', spellcheck: 'false' });
  const tokenForm = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': t('accounts.new_token'),
      onsubmit: (e) => {
        e.preventDefault();
        if (!tokenName.reportValidity()) return;
        act(async () => {
          const r = await post('/v1/tokens', { name: tokenName.value, role: 'integration' });
          out.replaceChildren(shownOnce(t('accounts.token_shown', { name: r.name }), r.token));
          tokenName.value = '';
        });
      },
    },
    field(t('accounts.new_token'), tokenName),
    h('button', { type: 'submit', class: 'primary' }, t('accounts.create')),
  );

  view.append(
    out,
    h('section', { class: 'card', 'aria-label': t('accounts.accounts') }, h('h2', {}, t('accounts.accounts')), accountsBox, h('h3', {}, t('accounts.new')), accountForm),
    h('section', { class: 'card', 'aria-label': t('accounts.tokens') }, h('h2', {}, t('accounts.tokens')), tokensBox, tokenForm),
  );
  await refresh();
  return null;
}

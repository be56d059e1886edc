// SPDX-License-Identifier: Apache-2.0
// pages/signin.js: signing in (POST /v1/session), and the forced change of
// a one-time password (POST /v1/session/password) before anything else:
// an account made by `levee admin init` or a reset must choose its own.

import { ApiError, api, get } from '../api.js';
import { errorText, field, h, notice, toast } from '../dom.js';
import { t } from '../i18n.js';

// Kept between the sign-in and the change form, in memory only, so the
// holder does not type the one-time password twice.
let oneTime = '';

const MIN_PASSWORD = 12;

// The new-password fields and their checks, shared with pages/password.js.
export function passwordForm({ withOld, submitText, onDone }) {
  const old = h('input', { type: 'password', name: 'old', autocomplete: 'current-password', required: true });
  const pw1 = h('input', {
    type: 'password',
    name: 'new',
    autocomplete: 'new-password',
    required: true,
    minlength: String(MIN_PASSWORD),
    maxlength: '256',
  });
  const pw2 = h('input', { type: 'password', name: 'confirm', autocomplete: 'new-password', required: true });
  const status = h('div', { class: 'form-status', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, submitText);
  const form = h(
    'form',
    {
      class: 'stack',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        status.textContent = '';
        const oldValue = withOld ? old.value : oneTime;
        if (pw1.value.length < MIN_PASSWORD) {
          status.textContent = t('signin.too_short');
          pw1.focus();
          return;
        }
        if (pw1.value !== pw2.value) {
          status.textContent = t('signin.mismatch');
          pw2.focus();
          return;
        }
        button.disabled = true;
        try {
          await api('POST', '/v1/session/password', { json: { old: oldValue, new: pw1.value } });
          oneTime = '';
          toast(t('signin.changed'), 'ok');
          await onDone();
        } catch (err) {
          status.textContent = errorText(err);
          button.disabled = false;
        }
      },
    },
    withOld ? field(t('signin.old'), old) : null,
    field(t('signin.new'), pw1, t('signin.too_short')),
    field(t('signin.confirm'), pw2),
    status,
    h('div', { class: 'actions' }, button),
  );
  return { form, first: withOld ? old : pw1 };
}

function signInForm(ctx) {
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const status = h('div', { class: 'form-status', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('signin.submit'));
  const form = h(
    'form',
    {
      class: 'stack',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        status.textContent = '';
        if (!name.value || !password.value) {
          (name.value ? password : name).focus();
          return;
        }
        button.disabled = true;
        try {
          const me = await api('POST', '/v1/session', { json: { name: name.value.trim(), password: password.value } });
          if (me.must_change_password) oneTime = password.value;
          await ctx.signedIn(me);
        } catch (err) {
          const msg = err instanceof ApiError && err.status === 401 ? err.message : errorText(err);
          status.textContent = t('signin.failed', { msg });
          password.value = '';
          password.focus();
          button.disabled = false;
        }
      },
    },
    field(t('signin.name'), name),
    field(t('signin.password'), password),
    status,
    h('div', { class: 'actions' }, button),
  );
  return { form, first: name };
}

export async function render(ctx) {
  const { view, session } = ctx;
  if (session && session.must_change_password) {
    const { form, first } = passwordForm({
      withOld: !oneTime,
      submitText: t('signin.change_submit'),
      onDone: async () => ctx.signedIn(await get('/v1/session'), true),
    });
    view.appendChild(
      h(
        'section',
        { class: 'signin card' },
        h('h1', {}, t('signin.change_title')),
        notice(t('signin.change_intro'), 'warn'),
        form,
      ),
    );
    first.focus();
    return null;
  }
  const { form, first } = signInForm(ctx);
  view.appendChild(h('section', { class: 'signin card' }, h('h1', {}, t('signin.title')), h('p', {}, t('signin.intro')), form));
  first.focus();
  return null;
}

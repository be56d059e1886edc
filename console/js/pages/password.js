// SPDX-License-Identifier: Apache-2.0
// pages/password.js: any account changes its own password
// (POST /v1/session/password, the current one required).

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { passwordForm } from './signin.js';

export async function render(ctx) {
  const { form, first } = passwordForm({
    withOld: true,
    submitText: t('password.submit'),
    onDone: async () => ctx.navigate(''),
  });
  ctx.view.appendChild(h('section', { class: 'signin card' }, h('h1', {}, t('password.title')), form));
  first.focus();
  return null;
}

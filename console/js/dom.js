// SPDX-License-Identifier: Apache-2.0
// dom.js: small helpers every page uses to build its DOM without a
// framework and without innerHTML (text from messages is never parsed as
// HTML): h() makes an element, toast() says something in the live region,
// confirmDialog() asks yes or no in a modal <dialog>, and badges for the
// API's codes.

import { label, t } from './i18n.js';

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, [more]):
// attributes starting with "on" become listeners; null/false ones are left
// out; children may be strings, nodes, arrays, null.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'required' || k === 'multiple')
      el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;
export function nextId(prefix = 'f') {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled form control: field(t('x'), h('input', {...})) -> <div><label
// for=...>x</label><input id=...></div>.
export function field(text, control, hint) {
  if (!control.id) control.id = nextId('fld');
  let hintEl = null;
  if (hint) {
    hintEl = h('div', { class: 'hint', id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, text), control, hintEl);
}

// A <select> of [value, text] pairs.
export function select(name, options, value) {
  return h(
    'select',
    { name },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
}

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast toast-${kind}` }, message);
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

// A message block for a page (errors, empty states).
export function notice(message, kind = 'info') {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : null }, message);
}

export function errorText(err) {
  if (err && err.status === 0) return t('app.network');
  if (err && (err.status === 429 || err.status === 503) && err.retryAfter)
    return t('app.busy', { s: err.retryAfter });
  return (err && err.message) || String(err);
}

// Asks a yes/no question in a modal dialog; resolves true for yes.
export function confirmDialog(message, yesText) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'primary', value: 'yes' }, yesText || t('app.ok'));
    const no = h('button', { type: 'button', value: 'no' }, t('app.cancel'));
    const text = h('p', { id: nextId('dlg') }, message);
    const dlg = h(
      'dialog',
      { class: 'dialog', 'aria-describedby': text.id },
      text,
      h('div', { class: 'actions' }, no, yes),
    );
    let answer = false;
    yes.addEventListener('click', () => {
      answer = true;
      dlg.close();
    });
    no.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(answer);
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    no.focus();
  });
}

export function badge(kind, code) {
  return h('span', { class: `badge badge-${kind} badge-${kind}-${code}` }, label(kind, code));
}

// The distinct categories of a hit (the API lists one per finding).
function uniq(list) {
  return [...new Set(list || [])];
}

export function categoryBadges(categories) {
  return uniq(categories).map((c) => h('span', { class: `tag tag-${c.split('.')[0]}`, title: c }, label('category', c)));
}

export function senderText(sender) {
  if (!sender) return t('app.unknown');
  const name = sender.name || sender.id || t('app.unknown');
  return sender.dept ? `${name} · ${sender.dept}` : name;
}

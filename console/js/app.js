// SPDX-License-Identifier: Apache-2.0
// app.js: the console's entry module. It finds out who is signed in (GET
// /v1/session), builds the navigation for that role (三员分立: each role
// sees only its own pages), and routes the hash (#/alerts, #/events/ID,
// #/search?q=...) to one page module under pages/, which renders into a
// fresh container. A page of another role is refused here, before any call.

import { api, get, setCsrf } from './api.js';
import { disposeCharts } from './charts.js';
import { clear, errorText, h, notice, toast } from './dom.js';
import { getLang, label, setLang, t } from './i18n.js';

const SEC = 'security-admin';
const AUD = 'auditor';
const SYS = 'system-admin';

// name -> who may open it, its title, whether it is in the navigation, its module.
const ROUTES = {
  overview: { roles: [SEC], title: 'nav.overview', nav: true, load: () => import('./pages/overview.js') },
  alerts: { roles: [SEC], title: 'nav.alerts', nav: true, load: () => import('./pages/alerts.js') },
  events: { roles: [SEC], title: 'nav.event', load: () => import('./pages/event.js') },
  spread: { roles: [SEC], title: 'nav.spread', load: () => import('./pages/spread.js') },
  search: { roles: [SEC], title: 'nav.search', nav: true, load: () => import('./pages/search.js') },
  service: { roles: [SEC], title: 'nav.service', nav: true, load: () => import('./pages/service.js') },
  holds: { roles: [SEC], title: 'nav.holds', nav: true, load: () => import('./pages/holds.js') },
  policy: { roles: [SEC, AUD], title: 'nav.policy', nav: true, load: () => import('./pages/policy.js') },
  audit: { roles: [AUD], title: 'nav.audit', nav: true, load: () => import('./pages/audit.js') },
  accounts: { roles: [SYS], title: 'nav.accounts', nav: true, load: () => import('./pages/accounts.js') },
  password: { roles: [SEC, AUD, SYS], title: 'nav.password', load: () => import('./pages/password.js') },
};
const HOME = { [SEC]: 'overview', [AUD]: 'audit', [SYS]: 'accounts' };
const HINT = 'levee.signedin'; // set while signed in: saves a 401 on a fresh visit

let session = null;
let pendingHash = '';
let generation = 0;
let pageAbort = null;
let pageCleanup = null;
let firstRender = true;

const $ = (id) => document.getElementById(id);

function hint(on) {
  try {
    if (on) localStorage.setItem(HINT, '1');
    else localStorage.removeItem(HINT);
  } catch {
    // no storage: every visit asks the server
  }
}

function hinted() {
  try {
    return localStorage.getItem(HINT) === '1';
  } catch {
    return true;
  }
}

// '#/alerts/c-004?status=open' -> {name: 'alerts', rest: ['c-004'], query: {status: 'open'}}
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const qpos = raw.indexOf('?');
  const path = qpos >= 0 ? raw.slice(0, qpos) : raw;
  const query = Object.fromEntries(new URLSearchParams(qpos >= 0 ? raw.slice(qpos + 1) : ''));
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { name: parts[0] || '', rest: parts.slice(1), query };
}

function hashFor(name, rest = [], query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const qs = q.toString();
  return `#/${[name, ...rest.map(encodeURIComponent)].join('/')}${qs ? `?${qs}` : ''}`;
}

function navigate(name, rest, query) {
  const target = hashFor(name, rest, query);
  if (location.hash === target) route();
  else location.hash = target;
}

function shellText() {
  document.title = t('app.name');
  $('skip-link').textContent = t('app.skip');
  $('brand-name').textContent = t('app.name');
  $('lang-toggle').textContent = t('app.lang_toggle');
  $('lang-toggle').lang = getLang() === 'en' ? 'zh-CN' : 'en';
  $('signout').textContent = t('app.signout');
  $('password-link').textContent = t('app.password');
  $('menu-toggle-label').textContent = t('app.menu');
  $('nav').setAttribute('aria-label', t('app.nav'));
  const signedIn = Boolean(session && !session.must_change_password);
  $('whoami').hidden = !session;
  $('whoami').textContent = session ? t('app.whoami', { name: session.name, role: label('role', session.role) }) : '';
  $('signout').hidden = !session;
  $('password-link').hidden = !signedIn;
  $('nav').hidden = !signedIn;
  $('menu-toggle').hidden = !signedIn;
  buildNav();
}

function buildNav() {
  const nav = clear($('nav'));
  if (!session || session.must_change_password) return;
  const current = parseHash().name;
  const list = h('ul', {});
  for (const [name, r] of Object.entries(ROUTES)) {
    if (!r.nav || !r.roles.includes(session.role)) continue;
    const active = current === name || (name === 'alerts' && current === 'events');
    list.appendChild(
      h('li', {}, h('a', { href: `#/${name}`, 'aria-current': active ? 'page' : null, dataset: { route: name } }, t(r.title))),
    );
  }
  nav.appendChild(list);
}

function setMenu(open) {
  $('nav').classList.toggle('open', open);
  $('menu-toggle').setAttribute('aria-expanded', String(open));
}

function forbidden(view, r) {
  view.appendChild(
    h(
      'section',
      { class: 'forbidden' },
      h('h1', { tabindex: '-1' }, t('app.forbidden')),
      notice(t('app.forbidden_body', { page: t(r.title), role: label('role', session.role) }), 'warn'),
      h('p', {}, h('a', { href: `#/${HOME[session.role] || ''}` }, t('app.forbidden_home'))),
    ),
  );
}

async function signedIn(principal, keepPending = true) {
  session = principal;
  setCsrf(principal.csrf_token);
  hint(true);
  shellText();
  if (principal.must_change_password) {
    route();
    return;
  }
  const target = keepPending && pendingHash && !pendingHash.startsWith('#/signin') ? pendingHash : `#/${HOME[principal.role] || ''}`;
  pendingHash = '';
  if (location.hash === target) route();
  else location.hash = target;
}

function signedOut(message) {
  if (!session) return; // several calls may find the session ended at once
  session = null;
  setCsrf('');
  hint(false);
  if (message) toast(message, 'warn');
  shellText();
  route();
}

async function route() {
  generation += 1;
  const mine = generation;
  if (pageAbort) pageAbort.abort();
  if (pageCleanup) {
    try {
      pageCleanup();
    } catch {
      // a page's cleanup may not stop the next one
    }
  }
  pageCleanup = null;
  disposeCharts();
  setMenu(false);
  pageAbort = new AbortController();
  const { name, rest, query } = parseHash();
  const root = clear($('view'));
  const view = h('div', { class: 'page' });
  root.appendChild(view);
  // While a page loads its data the view is busy; each render has its own
  // stamp (assistive technology and the browser tests wait on them).
  root.setAttribute('aria-busy', 'true');
  root.dataset.render = `${performance.timeOrigin + performance.now()}`;
  buildNav();

  let mod;
  let title = 'app.name';
  const ctx = {
    view,
    rest,
    query,
    session,
    signal: pageAbort.signal,
    alive: () => mine === generation,
    navigate,
    hashFor,
    setQuery: (q) => navigate(name, rest, q),
    signedIn,
  };
  try {
    if (!session || session.must_change_password) {
      if (!session && name && name !== 'signin') pendingHash = location.hash;
      mod = await import('./pages/signin.js');
      title = session ? 'signin.change_title' : 'signin.title';
    } else if (!name || name === 'signin') {
      navigate(HOME[session.role] || 'password'); // renders anew
      return;
    } else {
      let key = name;
      if (name === 'alerts' && rest.length) key = 'events'; // --console-url links: #/alerts/<event id>
      const r = ROUTES[key];
      if (!r) {
        view.appendChild(h('h1', { tabindex: '-1' }, t('app.not_found')));
      } else if (!r.roles.includes(session.role)) {
        title = r.title;
        forbidden(view, r);
      } else {
        title = r.title;
        mod = await r.load();
      }
    }
    document.title = `${t(title)} · ${t('app.name')}`;
    if (mod && mine === generation) pageCleanup = (await mod.render(ctx)) || null;
  } catch (e) {
    if (mine === generation && !(e && e.name === 'AbortError'))
      view.appendChild(notice(t('app.error', { msg: errorText(e) }), 'error'));
  }
  if (mine !== generation) return;
  root.setAttribute('aria-busy', 'false');
  // a new page takes the focus to its heading, unless it put it somewhere
  if (!firstRender && !view.contains(document.activeElement)) {
    const heading = view.querySelector('h1');
    if (heading) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
  firstRender = false;
}

async function start() {
  setLang(getLang());
  $('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'en' ? 'zh' : 'en');
    shellText();
    route();
  });
  $('signout').addEventListener('click', async () => {
    try {
      await api('DELETE', '/v1/session');
    } catch {
      // signed out either way
    }
    pendingHash = '';
    history.replaceState(null, '', '#/signin'); // no hashchange: signedOut renders
    signedOut();
  });
  // The skip link must not change the route: it moves the focus instead.
  $('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('main').focus();
  });
  $('menu-toggle').addEventListener('click', () => setMenu(!$('nav').classList.contains('open')));
  $('nav').addEventListener('click', (e) => {
    if (e.target.closest('a')) setMenu(false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && $('nav').classList.contains('open')) {
      setMenu(false);
      $('menu-toggle').focus();
    }
  });
  window.addEventListener('levee:signedout', () => signedOut(t('app.session_ended')));
  window.addEventListener('hashchange', route);
  if (hinted()) {
    try {
      const me = await get('/v1/session');
      session = me;
      setCsrf(me.csrf_token);
    } catch {
      session = null;
      hint(false);
    }
  }
  shellText();
  route();
}

start();

// History-API routing: real paths (/associations/7) that CloudFront and the local
// gateway answer with index.html, so every page can be bookmarked and shared.

import {session} from './api.js';
import {h} from './dom.js';
import {t, tParts} from './i18n.js';

let routes = [];
let beforeRender = () => {};
let firstRender = true;
let pendingFlash = null;

// start renders the current page and handles links and the back button from then on.
// A route is {path, render(container, {params, query, session}), title(), public}.
export function start(routeTable, {onRender}) {
  routes = routeTable;
  beforeRender = onRender;
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[href^="/"]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
    e.preventDefault();
    if (a.getAttribute('href') !== location.pathname + location.search) navigate(a.getAttribute('href'));
  });
  window.addEventListener('popstate', render);
  return render();
}

// refresh renders the current page again (in another language, say).
export const refresh = () => render();

export function navigate(to, {replace = false} = {}) {
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  return render();
}

// flash shows a message on the next page (after a save, say).
export function flash(message, kind = 'success') { pendingFlash = {message, kind}; }

// match finds the route of a path; ":name" segments must be positive ids.
function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((p, i) => {
      if (!p.startsWith(':')) return p === parts[i];
      if (!/^[1-9][0-9]{0,9}$/.test(parts[i])) return false;
      params[p.slice(1)] = Number(parts[i]);
      return true;
    });
    if (ok) return {route, params};
  }
  return null;
}

async function render() {
  const {pathname, search} = location;
  const found = match(pathname);
  const s = session();
  if (found && !found.route.public && !s) {
    flash(t('router.signInFirst'), 'info');
    return navigate(`/signin?next=${encodeURIComponent(pathname + search)}`, {replace: true});
  }
  // A dialog left open (the session ended under it, say) belongs to the page before.
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  beforeRender(s);
  showFlash();
  // Each render fills its own container: a slow page left behind writes nowhere.
  const main = document.getElementById('main');
  const page = h('div', {class: 'page'});
  main.replaceChildren(page);
  document.title = `${found?.route.title?.() ?? t('notFound.title')} · KittenAsso's`;
  if (!found) {
    page.append(h('h1', {tabindex: '-1'}, t('notFound.title')),
      h('p', {}, tParts('notFound.text', {home: h('a', {href: '/'}, t('notFound.home'))})));
  } else {
    await found.route.render(page, {params: found.params, query: new URLSearchParams(search), session: s});
  }
  // Screen readers announce the new page; keyboard users start from its top.
  if (!firstRender && main.contains(page)) (page.querySelector('h1') ?? main).focus();
  firstRender = false;
}

function showFlash() {
  const el = document.getElementById('flash');
  el.className = 'flash';
  el.replaceChildren();
  if (!pendingFlash) return;
  el.classList.add(pendingFlash.kind);
  el.append(h('p', {}, pendingFlash.message));
  pendingFlash = null;
}

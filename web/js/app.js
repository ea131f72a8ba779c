// The app: its pages, the header (navigation and language), and what happens when a
// session ends.

import {endSession, onSessionLost, put, saveSession, session} from './api.js';
import {h, replace} from './dom.js';
import {browserLanguage, chosenLanguage, language, languages, setLanguage, setTimeZone, t} from './i18n.js';
import * as pages from './pages/index.js';
import {flash, navigate, refresh, start} from './router.js';

const routes = [
  {path: '/', public: true, render: (_, {session}) => navigate(session ? '/associations' : '/signin', {replace: true})},
  {path: '/signin', public: true, title: () => t('signIn.title'), render: pages.signIn},
  {path: '/login', public: true, render: () => navigate('/signin' + location.search, {replace: true})}, // the old client's address
  {path: '/signup', public: true, title: () => t('signUp.title'), render: pages.signUp},
  {path: '/verify', public: true, title: () => t('verify.title'), render: pages.verify},
  {path: '/unsubscribe', public: true, title: () => t('unsubscribe.title'), render: pages.unsubscribe},
  {path: '/rsvp', public: true, title: () => t('rsvp.title'), render: pages.rsvp},
  {path: '/invitation', public: true, title: () => t('invitation.title'), render: pages.invitation},
  {path: '/associations', title: () => t('associations.title'), render: pages.associations},
  {path: '/associations/new', title: () => t('newAssociation.title'), render: pages.newAssociation},
  {path: '/associations/:id', title: () => t('association.title'), render: pages.association},
  {path: '/users', title: () => t('people.title'), render: pages.users},
  {path: '/users/:id', title: () => t('person.title'), render: pages.user},
  {path: '/profile', title: () => t('profile.title'), render: pages.profile},
];

// renderHeader fills the navigation for who is signed in, and the language switch.
function renderHeader(session) {
  setTimeZone(session?.timeZone);
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  const link = (href, text) => h('a', {href, 'aria-current': location.pathname.startsWith(href) ? 'page' : null}, text);
  if (!session) {
    replace(nav, link('/signin', t('nav.signIn')), link('/signup', t('nav.signUp')));
  } else {
    replace(nav,
      link('/associations', t('nav.associations')),
      link('/users', t('nav.people')),
      link('/profile', t('nav.profile')),
      h('button', {type: 'button', class: 'link', onclick: () => {
        endSession();
        flash(t('nav.signedOut'), 'info');
        navigate('/signin');
      }}, t('nav.signOut')));
  }
  replace(document.getElementById('language'),
    h('label', {for: 'language-select', class: 'sr-only'}, t('nav.language')),
    h('select', {id: 'language-select', onchange: (e) => switchLanguage(e.target.value)},
      Object.entries(languages).map(([code, name]) =>
        h('option', {value: code, lang: code, selected: code === language()}, name))));
  // What index.html says outside the page's own content.
  document.querySelector('.skip-link').textContent = t('app.skipLink');
  document.querySelector('.site-footer p').textContent = t('app.tagline');
  document.querySelector('meta[name=description]').content = t('app.tagline');
}

// switchLanguage speaks another language from now on, on this browser, and for a
// signed-in user in their profile too (their e-mails follow it): one language per person.
async function switchLanguage(lang) {
  try {
    await setLanguage(lang, {remember: true});
  } catch {
    flash(t('error.network'), 'error'); // the page stays in its language
    await refresh();
    return;
  }
  const s = session();
  if (s && s.locale !== lang) {
    saveSession({...s, locale: lang});
    put(`/users/${s.id}`, {locale: lang}).catch(() => {}); // the profile page shows what is saved
  }
  await refresh();
}

onSessionLost(() => {
  // A page's requests in flight may all be refused: the first one sends you to sign in.
  if (location.pathname === '/signin') return;
  flash(t('error.code.unauthorized'), 'info');
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, {replace: true});
});

let ready = true;
try {
  await setLanguage(chosenLanguage() || browserLanguage());
} catch {
  ready = false;
  // Without its words the app cannot run: say so in both languages.
  document.getElementById('main').replaceChildren(h('p', {class: 'error', role: 'alert'},
    "KittenAsso's could not load. Check your connection and reload the page. · ",
    h('span', {lang: 'fr'}, 'KittenAsso’s n’a pas pu se charger. Vérifiez votre connexion et rechargez la page.')));
}
if (ready) start(routes, {onRender: renderHeader});

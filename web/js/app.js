// The app: its pages, the navigation bar, and what happens when a session ends.

import {endSession, onSessionLost} from './api.js';
import {h, replace} from './dom.js';
import * as pages from './pages/index.js';
import {flash, navigate, start} from './router.js';

const routes = [
  {path: '/', public: true, render: (_, {session}) => navigate(session ? '/associations' : '/signin', {replace: true})},
  {path: '/signin', public: true, title: 'Sign in', render: pages.signIn},
  {path: '/login', public: true, render: () => navigate('/signin' + location.search, {replace: true})}, // the old client's address
  {path: '/signup', public: true, title: 'Sign up', render: pages.signUp},
  {path: '/verify', public: true, title: 'Verify your e-mail', render: pages.verify},
  {path: '/unsubscribe', public: true, title: 'Unsubscribe', render: pages.unsubscribe},
  {path: '/rsvp', public: true, title: 'Your answer', render: pages.rsvp},
  {path: '/invitation', public: true, title: 'Your invitation', render: pages.invitation},
  {path: '/associations', title: 'Associations', render: pages.associations},
  {path: '/associations/new', title: 'New association', render: pages.newAssociation},
  {path: '/associations/:id', title: 'Association', render: pages.association},
  {path: '/users', title: 'People', render: pages.users},
  {path: '/users/:id', title: 'Person', render: pages.user},
  {path: '/profile', title: 'Your profile', render: pages.profile},
];

function renderNav(session) {
  const nav = document.getElementById('nav');
  const link = (href, text) => h('a', {href, 'aria-current': location.pathname.startsWith(href) ? 'page' : null}, text);
  if (!session) {
    replace(nav, link('/signin', 'Sign in'), link('/signup', 'Sign up'));
    return;
  }
  replace(nav,
    link('/associations', 'Associations'),
    link('/users', 'People'),
    link('/profile', 'Profile'),
    h('button', {type: 'button', class: 'link', onclick: () => {
      endSession();
      flash('You are signed out.', 'info');
      navigate('/signin');
    }}, 'Sign out'));
}

onSessionLost(() => {
  // A page's requests in flight may all be refused: the first one sends you to sign in.
  if (location.pathname === '/signin') return;
  flash('Your session has ended. Please sign in again.', 'info');
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, {replace: true});
});

start(routes, {onRender: renderNav});

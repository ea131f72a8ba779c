// People: the directory, a person's page, and your own profile.

import {ApiError, del, endSession, get, getPage, getUser, post, put, signIn} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {fullName} from '../format.js';
import {flash, navigate} from '../router.js';
import {SHOWN, confirmAction, empty, errorBox, handleSubmit, heading, liveSearch, loadPage, loading, showCards} from '../ui.js';

export async function users(page) {
  const status = loading();
  page.append(heading('People'), status);
  // The first page, then what the API finds (?q=) as the search changes: the
  // directory is never downloaded whole.
  const everyone = await loadPage(page, 'People', () => getPage(`/users?limit=${SHOWN}`));
  if (!everyone) return;
  const search = h('input', {type: 'search', id: 'people-search', placeholder: 'Name or e-mail'});
  const count = h('p', {class: 'muted', role: 'status'});
  const results = h('ul', {class: 'cards'});
  const show = liveSearch(search, results,
    (query) => (query ? getPage(`/users?limit=${SHOWN}&q=${encodeURIComponent(query)}`) : everyone),
    (found, query) => showCards(results, count, found.data, {
      total: found.total,
      summary: query ? `${found.total} of ${everyone.total} people match “${query}”.` : `${everyone.total} people.`,
      card: (u) => h('li', {class: 'card'},
        h('a', {href: `/users/${u.id}`, class: 'title'}, fullName(u)),
        u.isAdmin && h('span', {class: 'badge'}, 'admin'),
        u.email ? h('p', {class: 'muted'}, u.email) : null),
      none: `No one matches “${query}”.`,
    }));
  status.replaceWith(h('div', {class: 'field'}, h('label', {for: 'people-search'}, 'Search people'), search), count, results);
  show();
}

export async function user(page, {params, session}) {
  const status = loading();
  page.append(heading('…'), status);
  const loaded = await loadPage(page, 'Person',
    () => Promise.all([getUser(params.id), get(`/users/${params.id}/roles`)]));
  if (!loaded) return;
  const [person, roles] = loaded;
  document.title = `${fullName(person)} · KittenAsso's`;
  const roleIn = (a) => roles.find((r) => r.associationId === a.id)?.name ?? 'member';
  replace(page,
    heading(fullName(person)),
    // The e-mail is shown only to people who share an association with the person.
    h('p', {class: 'muted'}, person.email ? `${person.email} · ` : '', `${person.age} years old`,
      person.isAdmin ? ' · administrator' : ''),
    person.id === session.id && h('p', {}, h('a', {href: '/profile', class: 'button secondary'}, 'Edit your profile')),
    h('h2', {}, 'Associations'),
    person.associations.length
      ? h('ul', {class: 'cards'}, person.associations.map((a) => h('li', {class: 'card'},
        h('a', {href: `/associations/${a.id}`, class: 'title'}, a.name),
        h('span', {class: 'badge'}, roleIn(a)),
        h('p', {class: 'muted'}, `${a.users.length} member${a.users.length === 1 ? '' : 's'}`))))
      : empty(`${person.firstname} is not in any association yet.`));
}

export async function profile(page, {session}) {
  const status = loading();
  page.append(heading('Your profile'), status);
  const me = await loadPage(page, 'Your profile', () => get(`/users/${session.id}`));
  if (!me) return;
  const detailsErrors = errorBox();
  const details = h('form', {class: 'card stack', 'aria-labelledby': 'details-title'},
    h('h2', {id: 'details-title'}, 'Your details'),
    detailsErrors.el,
    h('div', {class: 'row'},
      field('First name', 'firstname', {required: true, value: me.firstname, autocomplete: 'given-name', maxlength: 100}),
      field('Last name', 'lastname', {required: true, value: me.lastname, autocomplete: 'family-name', maxlength: 100})),
    field('Age', 'age', {type: 'number', required: true, min: 0, max: 150, value: me.age}),
    h('button', {type: 'submit'}, 'Save my details'));
  handleSubmit(details, detailsErrors, async () => {
    const v = formValues(details);
    await put(`/users/${me.id}`, {firstname: v.firstname, lastname: v.lastname, age: Number(v.age)});
    flash('Your details are saved.');
    navigate('/profile', {replace: true});
  });

  // A new address applies once the link mailed to it is opened; until then the
  // account keeps the old one.
  const emailErrors = errorBox();
  const email = h('form', {class: 'card stack', 'aria-labelledby': 'email-title'},
    h('h2', {id: 'email-title'}, 'Change your e-mail address'),
    emailErrors.el,
    h('p', {class: 'muted'}, 'Your address now: ', me.email),
    field('New e-mail address', 'email', {type: 'email', required: true, autocomplete: 'email', maxlength: 254}),
    field('Your password', 'currentPassword', {type: 'password', required: true, autocomplete: 'current-password'}),
    h('button', {type: 'submit'}, 'Change my e-mail address'));
  handleSubmit(email, emailErrors, async () => {
    const v = formValues(email);
    await put(`/users/${me.id}`, {email: v.email, currentPassword: v.currentPassword});
    email.reset();
    flash(`We sent a link to ${v.email}. Your address changes when you open it.`, 'info');
    navigate('/profile', {replace: true});
  });

  const passwordErrors = errorBox();
  const password = h('form', {class: 'card stack', 'aria-labelledby': 'password-title'},
    h('h2', {id: 'password-title'}, 'Change your password'),
    passwordErrors.el,
    field('Current password', 'currentPassword', {type: 'password', required: true, autocomplete: 'current-password'}),
    field('New password', 'password', {type: 'password', required: true, minlength: 8, maxlength: 72, autocomplete: 'new-password'},
      'From 8 to 72 characters.'),
    field('New password, again', 'again', {type: 'password', required: true, autocomplete: 'new-password'}),
    h('button', {type: 'submit'}, 'Change my password'));
  handleSubmit(password, passwordErrors, async () => {
    const v = formValues(password);
    if (v.password !== v.again) throw new ApiError(400, ['the two passwords are not the same']);
    await put(`/users/${me.id}`, {password: v.password, currentPassword: v.currentPassword});
    // The change signs out every session, this one included: sign in again with
    // the new password, which is at hand.
    await signIn(me.email, v.password);
    password.reset();
    flash('Your password is changed. Your other sessions are signed out.');
    navigate('/profile', {replace: true});
  });

  const remove = h('button', {type: 'button', class: 'danger'}, 'Delete my account');
  replace(page, heading('Your profile'),
    h('p', {}, h('a', {href: `/users/${me.id}`}, 'See your public page')),
    details, calendarFeed(), email, password,
    h('section', {class: 'card danger-zone stack', 'aria-labelledby': 'danger-title'},
      h('h2', {id: 'danger-title'}, 'Delete your account'),
      h('p', {}, 'You leave every association you are in.'), h('div', {}, remove)));
  remove.addEventListener('click', () => confirmAction({
    title: 'Delete your account?',
    text: 'Your memberships, roles and votes go with it. This cannot be undone.',
    confirm: 'Delete my account',
    action: async () => {
      await del(`/users/${me.id}`);
      endSession();
      flash('Your account is deleted. Goodbye!', 'info');
      navigate('/signin');
    },
  }));
}

// calendarFeed offers the secret address of the member's calendar: every event of
// their associations, in their calendar app. The address is shown once (only its hash
// is kept), so making it again replaces it.
function calendarFeed() {
  const errors = errorBox();
  const shown = h('div', {class: 'stack'});
  const form = h('form', {class: 'card stack', 'aria-labelledby': 'calendar-title'},
    h('h2', {id: 'calendar-title'}, 'Your calendar'),
    errors.el,
    h('p', {}, 'Subscribe to your associations\' events in your calendar app. Keep the address to yourself: '
      + 'anyone who has it sees your events. A new address replaces the old one, which stops working.'),
    shown,
    h('button', {type: 'submit', 'data-busy': 'Making it…'}, 'Make my calendar address'));
  handleSubmit(form, errors, async () => {
    const feed = await post('/calendar');
    const address = h('input', {id: 'calendar-address', value: feed.webcal, readonly: true});
    const copied = h('span', {role: 'status', class: 'muted'});
    replace(shown,
      h('div', {class: 'field'}, h('label', {for: 'calendar-address'}, 'Your calendar address'), address),
      h('p', {}, h('a', {href: feed.webcal}, 'Open it in your calendar app'), ' ',
        h('button', {type: 'button', class: 'secondary small', onclick: async () => {
          try {
            await navigator.clipboard.writeText(feed.webcal);
            copied.textContent = 'Copied.';
          } catch {
            address.select();
            copied.textContent = 'Select the address and copy it.';
          }
        }}, 'Copy the address'), ' ', copied));
  });
  return form;
}

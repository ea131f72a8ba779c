// People: the directory, a person's page, and your own profile.

import {Problem, del, endSession, get, getPage, getUser, post, put, saveSession, session as currentSession, signIn} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {fullName, roleName} from '../format.js';
import {defaultZone, language, languages, setLanguage, setTimeZone, t, timeZones, validZone} from '../i18n.js';
import {flash, navigate} from '../router.js';
import {SHOWN, confirmAction, empty, errorBox, handleSubmit, heading, liveSearch, loadPage, loading, showCards} from '../ui.js';

export async function users(page) {
  const status = loading();
  page.append(heading(t('people.title')), status);
  // The first page, then what the API finds (?q=) as the search changes: the
  // directory is never downloaded whole.
  const everyone = await loadPage(page, t('people.title'), () => getPage(`/users?limit=${SHOWN}`));
  if (!everyone) return;
  const search = h('input', {type: 'search', id: 'people-search', placeholder: t('ui.picker.placeholder')});
  const count = h('p', {class: 'muted', role: 'status'});
  const results = h('ul', {class: 'cards'});
  const show = liveSearch(search, results,
    (query) => (query ? getPage(`/users?limit=${SHOWN}&q=${encodeURIComponent(query)}`) : everyone),
    (found, query) => showCards(results, count, found.data, {
      total: found.total,
      summary: query ? t('people.matching', {count: found.total, total: everyone.total, query}) : t('people.count', {count: everyone.total}),
      card: (u) => h('li', {class: 'card'},
        h('a', {href: `/users/${u.id}`, class: 'title'}, fullName(u)),
        u.isAdmin && h('span', {class: 'badge'}, t('people.admin')),
        u.email ? h('p', {class: 'muted'}, u.email) : null),
      none: t('people.noMatch', {query}),
    }));
  status.replaceWith(h('div', {class: 'field'}, h('label', {for: 'people-search'}, t('people.search')), search), count, results);
  show();
}

export async function user(page, {params, session}) {
  const status = loading();
  page.append(heading('…'), status);
  const loaded = await loadPage(page, t('person.title'),
    () => Promise.all([getUser(params.id), get(`/users/${params.id}/roles`)]), {notFound: t('person.notFound')});
  if (!loaded) return;
  const [person, roles] = loaded;
  document.title = `${fullName(person)} · KittenAsso's`;
  const roleIn = (a) => roleName(roles.find((r) => r.associationId === a.id)?.name);
  replace(page,
    heading(fullName(person)),
    // The e-mail is shown only to people who share an association with the person.
    h('p', {class: 'muted'}, [person.email, t('person.age', {count: person.age}), person.isAdmin && t('person.administrator')]
      .filter(Boolean).join(' · ')),
    person.id === session.id && h('p', {}, h('a', {href: '/profile', class: 'button secondary'}, t('person.editProfile'))),
    h('h2', {}, t('associations.title')),
    person.associations.length
      ? h('ul', {class: 'cards'}, person.associations.map((a) => h('li', {class: 'card'},
        h('a', {href: `/associations/${a.id}`, class: 'title'}, a.name),
        h('span', {class: 'badge'}, roleIn(a)),
        h('p', {class: 'muted'}, t('members.count', {count: a.users.length})))))
      : empty(t('person.noAssociation', {name: person.firstname})));
}

export async function profile(page, {session}) {
  const status = loading();
  page.append(heading(t('profile.title')), status);
  const me = await loadPage(page, t('profile.title'), () => get(`/users/${session.id}`));
  if (!me) return;
  const detailsErrors = errorBox();
  const details = h('form', {class: 'card stack', 'aria-labelledby': 'details-title'},
    h('h2', {id: 'details-title'}, t('profile.details')),
    detailsErrors.el,
    h('div', {class: 'row'},
      field(t('field.firstname'), 'firstname', {required: true, value: me.firstname, autocomplete: 'given-name', maxlength: 100}),
      field(t('field.lastname'), 'lastname', {required: true, value: me.lastname, autocomplete: 'family-name', maxlength: 100})),
    field(t('field.age'), 'age', {type: 'number', required: true, min: 0, max: 150, value: me.age}),
    h('button', {type: 'submit'}, t('profile.saveDetails')));
  handleSubmit(details, detailsErrors, async () => {
    const v = formValues(details);
    await put(`/users/${me.id}`, {firstname: v.firstname, lastname: v.lastname, age: Number(v.age)});
    flash(t('profile.detailsSaved'));
    navigate('/profile', {replace: true});
  });

  // A new address applies once the link mailed to it is opened; until then the
  // account keeps the old one.
  const emailErrors = errorBox();
  const email = h('form', {class: 'card stack', 'aria-labelledby': 'email-title'},
    h('h2', {id: 'email-title'}, t('profile.email')),
    emailErrors.el,
    h('p', {class: 'muted'}, t('profile.emailNow', {email: me.email})),
    field(t('profile.newEmail'), 'email', {type: 'email', required: true, autocomplete: 'email', maxlength: 254}),
    field(t('field.yourPassword'), 'currentPassword', {type: 'password', required: true, autocomplete: 'current-password'}),
    h('button', {type: 'submit'}, t('profile.changeEmail')));
  handleSubmit(email, emailErrors, async () => {
    const v = formValues(email);
    await put(`/users/${me.id}`, {email: v.email, currentPassword: v.currentPassword});
    email.reset();
    flash(t('profile.emailSent', {email: v.email}), 'info');
    navigate('/profile', {replace: true});
  });

  const passwordErrors = errorBox();
  const password = h('form', {class: 'card stack', 'aria-labelledby': 'password-title'},
    h('h2', {id: 'password-title'}, t('profile.password')),
    passwordErrors.el,
    field(t('field.currentPassword'), 'currentPassword', {type: 'password', required: true, autocomplete: 'current-password'}),
    field(t('profile.newPassword'), 'password', {type: 'password', required: true, minlength: 8, maxlength: 72, autocomplete: 'new-password'},
      t('field.passwordHint')),
    field(t('profile.newPasswordAgain'), 'again', {type: 'password', required: true, autocomplete: 'new-password'}),
    h('button', {type: 'submit'}, t('profile.changePassword')));
  handleSubmit(password, passwordErrors, async () => {
    const v = formValues(password);
    if (v.password !== v.again) throw new Problem(t('profile.passwordsDiffer'));
    await put(`/users/${me.id}`, {password: v.password, currentPassword: v.currentPassword});
    // The change signs out every session, this one included: sign in again with
    // the new password, which is at hand.
    await signIn(me.email, v.password);
    password.reset();
    flash(t('profile.passwordChanged'));
    navigate('/profile', {replace: true});
  });

  const remove = h('button', {type: 'button', class: 'danger'}, t('profile.delete'));
  replace(page, heading(t('profile.title')),
    h('p', {}, h('a', {href: `/users/${me.id}`}, t('profile.publicPage'))),
    details, preferences(me, session), calendarFeed(), email, password,
    h('section', {class: 'card danger-zone stack', 'aria-labelledby': 'danger-title'},
      h('h2', {id: 'danger-title'}, t('profile.deleteTitle')),
      h('p', {}, t('profile.deleteText')), h('div', {}, remove)));
  remove.addEventListener('click', () => confirmAction({
    title: t('profile.deleteQuestion'),
    text: t('profile.deleteWarning'),
    confirm: t('profile.delete'),
    action: async () => {
      await del(`/users/${me.id}`);
      endSession();
      flash(t('profile.deleted'), 'info');
      navigate('/signin');
    },
  }));
}

// preferences sets the language of the app and of the user's e-mails, and the time
// zone of the dates they read and enter. The profile keeps both (locale, timeZone);
// the session too, so that they apply at once.
function preferences(me, session) {
  const errors = errorBox();
  const locale = me.locale in languages ? me.locale : language();
  const zone = validZone(me.timeZone) ? me.timeZone : validZone(session.timeZone) ? session.timeZone : defaultZone();
  const zones = timeZones(zone);
  const zoneField = zones.length > 2
    ? h('div', {class: 'field'}, h('label', {for: 'time-zone'}, t('field.timeZone')),
      h('p', {class: 'hint', id: 'time-zone-hint'}, t('profile.timeZoneHint')),
      h('select', {id: 'time-zone', name: 'timeZone', 'aria-describedby': 'time-zone-hint'},
        zones.map((z) => h('option', {value: z, selected: z === zone}, z.replaceAll('_', ' ')))))
    : field(t('field.timeZone'), 'timeZone', {value: zone, required: true, autocomplete: 'off'}, t('profile.timeZoneHint'));
  const form = h('form', {class: 'card stack', 'aria-labelledby': 'preferences-title'},
    h('h2', {id: 'preferences-title'}, t('profile.preferences')),
    errors.el,
    h('div', {class: 'row'},
      h('div', {class: 'field'}, h('label', {for: 'locale'}, t('field.language')),
        h('select', {id: 'locale', name: 'locale'}, Object.entries(languages).map(([code, name]) =>
          h('option', {value: code, lang: code, selected: code === locale}, name)))),
      zoneField),
    h('button', {type: 'submit'}, t('profile.savePreferences')));
  handleSubmit(form, errors, async () => {
    const v = formValues(form);
    if (!validZone(v.timeZone)) throw new Problem(t('profile.unknownZone', {zone: v.timeZone}));
    await put(`/users/${me.id}`, {locale: v.locale, timeZone: v.timeZone});
    const s = currentSession();
    if (s) saveSession({...s, locale: v.locale, timeZone: v.timeZone});
    setTimeZone(v.timeZone);
    await setLanguage(v.locale, {remember: true});
    flash(t('profile.preferencesSaved'));
    navigate('/profile', {replace: true});
  });
  return form;
}

// calendarFeed offers the secret address of the member's calendar: every event of
// their associations, in their calendar app. The address is shown once (only its hash
// is kept), so making it again replaces it.
function calendarFeed() {
  const errors = errorBox();
  const shown = h('div', {class: 'stack'});
  const form = h('form', {class: 'card stack', 'aria-labelledby': 'calendar-title'},
    h('h2', {id: 'calendar-title'}, t('calendar.title')),
    errors.el,
    h('p', {}, t('calendar.text')),
    shown,
    h('button', {type: 'submit', 'data-busy': t('calendar.busy')}, t('calendar.submit')));
  handleSubmit(form, errors, async () => {
    const feed = await post('/calendar');
    const address = h('input', {id: 'calendar-address', value: feed.webcal, readonly: true});
    const copied = h('span', {role: 'status', class: 'muted'});
    replace(shown,
      h('div', {class: 'field'}, h('label', {for: 'calendar-address'}, t('calendar.address')), address),
      h('p', {}, h('a', {href: feed.webcal}, t('calendar.open')), ' ',
        h('button', {type: 'button', class: 'secondary small', onclick: async () => {
          try {
            await navigator.clipboard.writeText(feed.webcal);
            copied.textContent = t('calendar.copied');
          } catch {
            address.select();
            copied.textContent = t('calendar.copyYourself');
          }
        }}, t('calendar.copy')), ' ', copied));
  });
  return form;
}

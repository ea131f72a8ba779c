// Signed-out pages: sign in, sign up, and the landing page of the verification link.

import {ApiError, endSession, get, post, saveSession, signIn as signInWith} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {formatDateTime} from '../format.js';
import {defaultZone, language, languages, setLanguage, t, tParts} from '../i18n.js';
import {flash, navigate} from '../router.js';
import {errorBox, errorMessage, handleSubmit, heading, loading} from '../ui.js';

export function signIn(page, {query}) {
  const errors = errorBox();
  const help = h('div');
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    field(t('field.email'), 'email', {type: 'email', required: true, autocomplete: 'username', value: query.get('email')}),
    field(t('field.password'), 'password', {type: 'password', required: true, autocomplete: 'current-password'}),
    h('button', {type: 'submit', 'data-busy': t('signIn.busy')}, t('signIn.submit')));
  handleSubmit(form, errors, async () => {
    help.replaceChildren();
    endSession();
    const {email, password} = formValues(form);
    let me;
    try {
      const s = await signInWith(email, password);
      me = await get(`/users/${s.id}`);
      // The admin may change every association; dates are shown in the user's zone.
      saveSession({...s, isAdmin: me.isAdmin, timeZone: me.timeZone, locale: me.locale});
    } catch (err) {
      endSession(); // half signed in is not signed in
      if (err instanceof ApiError && err.code === 'not_verified') replace(help, resendForm(email));
      throw err;
    }
    // The language of the profile, the one the user's e-mails are in, is the app's too.
    if (me.locale in languages && me.locale !== language()) await setLanguage(me.locale, {remember: true});
    const next = query.get('next');
    flash(t('signIn.welcome'));
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/associations');
  });
  append(page, [heading(t('signIn.title')), form, help,
    h('p', {class: 'narrow'}, tParts('signIn.newHere', {link: h('a', {href: '/signup'}, t('signIn.createAccount'))}))]);
}

export function signUp(page, {query}) {
  const errors = errorBox();
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('div', {class: 'row'},
      field(t('field.firstname'), 'firstname', {required: true, autocomplete: 'given-name', maxlength: 100}),
      field(t('field.lastname'), 'lastname', {required: true, autocomplete: 'family-name', maxlength: 100})),
    field(t('field.age'), 'age', {type: 'number', required: true, min: 0, max: 150, inputmode: 'numeric'}),
    field(t('field.email'), 'email', {type: 'email', required: true, autocomplete: 'email', maxlength: 254, value: query.get('email')}),
    field(t('field.password'), 'password', {type: 'password', required: true, minlength: 8, maxlength: 72, autocomplete: 'new-password'},
      t('field.passwordHint')),
    h('button', {type: 'submit', 'data-busy': t('signUp.busy')}, t('signUp.submit')));
  handleSubmit(form, errors, async () => {
    const v = formValues(form);
    // The account speaks the language of the page it was made on, in the browser's zone.
    const account = {firstname: v.firstname, lastname: v.lastname, age: Number(v.age), email: v.email,
      password: v.password, locale: language(), timeZone: defaultZone() || undefined};
    try {
      await post('/users', account);
    } catch (err) {
      // A zone this browser knows and the server does not: the account gets the default one.
      if (!(err instanceof ApiError && err.code === 'invalid' && err.messages.some((m) => /^timeZone /.test(m)))) throw err;
      await post('/users', {...account, timeZone: undefined});
    }
    form.replaceWith(h('div', {class: 'card narrow stack'},
      h('h2', {}, t('signUp.checkInbox')),
      h('p', {}, tParts('signUp.linkSent', {email: h('strong', {}, v.email)})),
      h('p', {class: 'muted'}, t('signUp.linkValid')),
      resendForm(v.email)));
  });
  append(page, [heading(t('signUp.heading')), form,
    h('p', {class: 'narrow'}, tParts('signUp.haveAccount', {link: h('a', {href: '/signin'}, t('signIn.submit'))}))]);
}

export async function verify(page, {query}) {
  page.append(heading(t('verify.title')));
  const token = query.get('t');
  if (!token) {
    page.append(h('div', {class: 'card narrow stack'}, h('p', {}, t('verify.incomplete')), resendForm('')));
    return;
  }
  const status = loading(t('verify.busy'));
  page.append(status);
  const result = h('div', {class: 'card narrow stack'});
  try {
    const user = await post('/verification', {token});
    result.append(h('p', {class: 'success'}, t('verify.done', {name: user.firstname})),
      h('a', {class: 'button', href: `/signin?email=${encodeURIComponent(user.email)}`}, t('signIn.submit')));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'already_verified') {
      result.append(h('p', {}, t('verify.already')), h('a', {class: 'button', href: '/signin'}, t('signIn.submit')));
    } else {
      result.append(errorMessage(err));
      if (err instanceof ApiError && err.code === 'invalid_token') result.append(resendForm(''));
    }
  }
  status.replaceWith(result);
}

// resendForm asks for a fresh verification link. The API answers the same whether
// or not the address has an account, so the message does too.
function resendForm(email) {
  const errors = errorBox();
  const done = h('p', {role: 'status'});
  const form = h('form', {class: 'stack'},
    errors.el,
    field(t('resend.email'), 'email', {type: 'email', required: true, autocomplete: 'email', value: email}),
    h('button', {type: 'submit', class: 'secondary', 'data-busy': t('ui.sending')}, t('resend.submit')),
    done);
  handleSubmit(form, errors, async () => {
    done.replaceChildren();
    const {email: address} = formValues(form);
    await post('/verification/resend', {email: address});
    replace(done, t('resend.done', {email: address}));
  });
  return form;
}

// unsubscribe is the page an event e-mail's visible link opens. Opening it changes
// nothing, since mail scanners follow links; the button does (RFC 8058's one-click
// POST, which mail clients send by themselves, goes to the same API route).
export function unsubscribe(page, {query}) {
  const errors = errorBox();
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('p', {}, t('unsubscribe.question')),
    h('button', {type: 'submit', 'data-busy': t('unsubscribe.busy')}, t('unsubscribe.submit')));
  handleSubmit(form, errors, async () => {
    const done = await post(`/unsubscribe/${encodeURIComponent(query.get('t') || '')}`);
    replace(page, heading(t('unsubscribe.doneTitle')),
      h('p', {class: 'card narrow'}, t('unsubscribe.done', {association: done.association})));
  });
  append(page, [heading(t('unsubscribe.title')), form]);
}

// rsvp is the page an invitation's answer link opens: "I'm coming" or "I can't come".
// Opening it changes nothing, since mail scanners follow links; the member's click
// on one of its buttons answers (the one the link named comes first).
export function rsvp(page, {query}) {
  const errors = errorBox();
  const choices = [['going', t('event.going')], ['not_going', t('event.notGoing')]];
  if (query.get('a') === 'not_going') choices.reverse();
  let answer = choices[0][0];
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('p', {}, t('rsvp.question')),
    h('div', {class: 'actions'}, choices.map(([value, label], i) => h('button',
      {type: 'submit', class: i ? 'secondary' : null, 'data-busy': t('ui.sending'), onclick: () => { answer = value; }}, label))));
  handleSubmit(form, errors, async () => {
    const done = await post('/rsvp', {token: query.get('t') || '', answer});
    const params = {event: done.name, association: done.associationName, when: formatDateTime(done.start)};
    const waiting = done.myAttendance?.state === 'waiting';
    replace(page, heading(t('ui.thanks')), h('p', {class: 'card narrow'}, done.answer !== 'going'
      ? t('rsvp.notGoing', params)
      : waiting ? t('rsvp.waiting', {...params, position: done.myAttendance.position}) : t('rsvp.going', params)));
  });
  append(page, [heading(t('rsvp.title')), form]);
}

// invitation is the page an invitation e-mail's links open: join the association, or
// decline (and perhaps never be invited there again). Opening it changes nothing,
// since mail scanners follow links; a click on one of its buttons answers.
export function invitation(page, {query}) {
  const errors = errorBox();
  const choices = [['accept', false, t('invitation.join')], ['decline', false, t('invitation.decline')],
    ['decline', true, t('invitation.declineForGood')]];
  if (query.get('a') === 'decline') choices.unshift(choices.splice(1, 1)[0]);
  let answer = {answer: choices[0][0], never: choices[0][1]};
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('p', {}, t('invitation.question')),
    h('div', {class: 'actions'}, choices.map(([value, never, label], i) => h('button',
      {type: 'submit', class: i ? 'secondary' : null, 'data-busy': t('ui.sending'), onclick: () => { answer = {answer: value, never}; }}, label))));
  handleSubmit(form, errors, async () => {
    const done = await post('/invitations/answer', {token: query.get('t') || '', ...answer});
    const association = done.associationName;
    replace(page, heading(t('ui.thanks')), h('p', {class: 'card narrow'}, done.status === 'member'
      ? t('invitation.joined', {association})
      : answer.never ? t('invitation.declinedForGood', {association}) : t('invitation.declined', {association})));
  });
  append(page, [heading(t('invitation.title')), form]);
}

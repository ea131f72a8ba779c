// Signed-out pages: sign in, sign up, and the landing page of the verification link.

import {ApiError, endSession, get, post, saveSession, signIn as signInWith} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {formatDateTime} from '../format.js';
import {flash, navigate} from '../router.js';
import {errorBox, errorMessage, handleSubmit, heading, loading} from '../ui.js';

export function signIn(page, {query}) {
  const errors = errorBox();
  const help = h('div');
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    field('E-mail address', 'email', {type: 'email', required: true, autocomplete: 'username', value: query.get('email')}),
    field('Password', 'password', {type: 'password', required: true, autocomplete: 'current-password'}),
    h('button', {type: 'submit', 'data-busy': 'Signing in…'}, 'Sign in'));
  handleSubmit(form, errors, async () => {
    help.replaceChildren();
    endSession();
    const {email, password} = formValues(form);
    try {
      const s = await signInWith(email, password);
      const me = await get(`/users/${s.id}`);
      saveSession({...s, isAdmin: me.isAdmin}); // the admin may change every association
    } catch (err) {
      endSession(); // half signed in is not signed in
      if (err instanceof ApiError && err.code === 'not_verified') replace(help, resendForm(email));
      throw err;
    }
    const next = query.get('next');
    flash('Welcome back!');
    navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/associations');
  });
  append(page, [heading('Sign in'), form, help,
    h('p', {class: 'narrow'}, 'New here? ', h('a', {href: '/signup'}, 'Create an account'), '.')]);
}

export function signUp(page, {query}) {
  const errors = errorBox();
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('div', {class: 'row'},
      field('First name', 'firstname', {required: true, autocomplete: 'given-name', maxlength: 100}),
      field('Last name', 'lastname', {required: true, autocomplete: 'family-name', maxlength: 100})),
    field('Age', 'age', {type: 'number', required: true, min: 0, max: 150, inputmode: 'numeric'}),
    field('E-mail address', 'email', {type: 'email', required: true, autocomplete: 'email', maxlength: 254, value: query.get('email')}),
    field('Password', 'password', {type: 'password', required: true, minlength: 8, maxlength: 72, autocomplete: 'new-password'},
      'From 8 to 72 characters.'),
    h('button', {type: 'submit', 'data-busy': 'Creating your account…'}, 'Create my account'));
  handleSubmit(form, errors, async () => {
    const v = formValues(form);
    await post('/users', {firstname: v.firstname, lastname: v.lastname, age: Number(v.age), email: v.email, password: v.password});
    form.replaceWith(h('div', {class: 'card narrow stack'},
      h('h2', {}, 'Check your inbox'),
      h('p', {}, 'We sent a link to ', h('strong', {}, v.email), '. Open it to activate your account, then sign in.'),
      h('p', {class: 'muted'}, 'The link is valid for 24 hours. Nothing arrived?'),
      resendForm(v.email)));
  });
  append(page, [heading('Create your account'), form,
    h('p', {class: 'narrow'}, 'Already have an account? ', h('a', {href: '/signin'}, 'Sign in'), '.')]);
}

export async function verify(page, {query}) {
  page.append(heading('Verify your e-mail'));
  const token = query.get('t');
  if (!token) {
    page.append(h('div', {class: 'card narrow stack'},
      h('p', {}, 'This link is incomplete. Copy the whole link from the e-mail, or ask for a new one.'), resendForm('')));
    return;
  }
  const status = loading('Verifying your address…');
  page.append(status);
  const result = h('div', {class: 'card narrow stack'});
  try {
    const user = await post('/verification', {token});
    result.append(h('p', {class: 'success'}, `Thank you, ${user.firstname}: your address is verified.`),
      h('a', {class: 'button', href: `/signin?email=${encodeURIComponent(user.email)}`}, 'Sign in'));
  } catch (err) {
    if (err instanceof ApiError && err.code === 'already_verified') {
      result.append(h('p', {}, 'Your address is already verified.'), h('a', {class: 'button', href: '/signin'}, 'Sign in'));
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
    field('Your e-mail address', 'email', {type: 'email', required: true, autocomplete: 'email', value: email}),
    h('button', {type: 'submit', class: 'secondary', 'data-busy': 'Sending…'}, 'Send me a new link'),
    done);
  handleSubmit(form, errors, async () => {
    done.replaceChildren();
    const {email: address} = formValues(form);
    await post('/verification/resend', {email: address});
    replace(done, `If ${address} is waiting for verification, a new link is on its way.`);
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
    h('p', {}, 'Stop receiving e-mails about the events of this association? You stay a member.'),
    h('button', {type: 'submit', 'data-busy': 'Unsubscribing…'}, 'Unsubscribe'));
  handleSubmit(form, errors, async () => {
    const done = await post(`/unsubscribe/${encodeURIComponent(query.get('t') || '')}`);
    replace(page, heading('Unsubscribed'),
      h('p', {class: 'card narrow'}, `You will no longer receive e-mails about the events of ${done.association}.`));
  });
  append(page, [heading('Unsubscribe'), form]);
}

// rsvp is the page an invitation's answer link opens: "I'm coming" or "I can't come".
// Opening it changes nothing, since mail scanners follow links; the member's click
// on one of its buttons answers (the one the link named comes first).
export function rsvp(page, {query}) {
  const errors = errorBox();
  const choices = [['going', "I'm coming"], ['not_going', "I can't come"]];
  if (query.get('a') === 'not_going') choices.reverse();
  let answer = choices[0][0];
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('p', {}, 'Answer the invitation: the organisers see who is coming. You can change your answer later.'),
    h('div', {class: 'actions'}, choices.map(([value, label], i) => h('button',
      {type: 'submit', class: i ? 'secondary' : null, 'data-busy': 'Sending…', onclick: () => { answer = value; }}, label))));
  handleSubmit(form, errors, async () => {
    const done = await post('/rsvp', {token: query.get('t') || '', answer});
    const when = formatDateTime(done.start);
    const waiting = done.myAttendance?.state === 'waiting';
    replace(page, heading('Thank you'), h('p', {class: 'card narrow'}, done.answer !== 'going'
      ? `You told ${done.associationName} you cannot come to ${done.name}, ${when}.`
      : waiting
        ? `Every place at ${done.name} (${done.associationName}), ${when}, is taken: you are on the waiting list, ` +
          `position ${done.myAttendance.position}. You will get an e-mail if a place frees up.`
        : `You are coming to ${done.name} (${done.associationName}), ${when}.`));
  });
  append(page, [heading('Your answer'), form]);
}

// invitation is the page an invitation e-mail's links open: join the association, or
// decline (and perhaps never be invited there again). Opening it changes nothing,
// since mail scanners follow links; a click on one of its buttons answers.
export function invitation(page, {query}) {
  const errors = errorBox();
  const choices = [['accept', false, 'Join'], ['decline', false, 'Decline'], ['decline', true, 'Decline, and never invite me again']];
  if (query.get('a') === 'decline') choices.unshift(choices.splice(1, 1)[0]);
  let answer = {answer: choices[0][0], never: choices[0][1]};
  const form = h('form', {class: 'card narrow stack'},
    errors.el,
    h('p', {}, 'You are invited to join an association. You become a member, and get its e-mails, only if you join.'),
    h('div', {class: 'actions'}, choices.map(([value, never, label], i) => h('button',
      {type: 'submit', class: i ? 'secondary' : null, 'data-busy': 'Sending…', onclick: () => { answer = {answer: value, never}; }}, label))));
  handleSubmit(form, errors, async () => {
    const done = await post('/invitations/answer', {token: query.get('t') || '', ...answer});
    replace(page, heading('Thank you'), h('p', {class: 'card narrow'}, done.status === 'member'
      ? `You are now a member of ${done.associationName}. Sign in to see it.`
      : `You declined to join ${done.associationName}.${answer.never ? ' You will not be invited there again.' : ''}`));
  });
  append(page, [heading('Your invitation'), form]);
}

// An association's page: its members and their roles, its events, its minutes.
// Everyone signed in may look; members answer events; only its managers (and the
// administrator) get the controls that change it, and the API refuses anyone else
// all the same. A person invited sees the invitation, to accept or decline.

import {ApiError, del, get, patch, post, put} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {duration, eventStatus, formatDateTime, formatDay, fromLocalInput, fullName, toLocalInput, today} from '../format.js';
import {flash, navigate} from '../router.js';
import {confirmAction, empty, errorMessage, heading, loadPage, loading, openDialog, personPicker} from '../ui.js';

export async function association(page, {params, session}) {
  const id = params.id;
  page.append(heading('Association'), loading());
  const assoc = await loadPage(page, 'Association', () => get(`/associations/${id}`));
  if (!assoc) return;
  document.title = `${assoc.name} · KittenAsso's`;
  const me = assoc.members.find((m) => m.id === session.id);
  const isMember = me?.status === 'member';
  const canEdit = session.isAdmin || Boolean(me?.manager);
  // state is shared by the sections: the members decide who may vote and who is invited.
  const state = {id, assoc, canEdit, isMember, session};
  const members = h('section', {class: 'stack', 'aria-labelledby': 'members-title'});
  const events = h('section', {class: 'stack', 'aria-labelledby': 'events-title'});
  const minutes = h('section', {class: 'stack', 'aria-labelledby': 'minutes-title'});
  const memberCount = h('p', {class: 'muted subtitle'}, countMembers(assoc));
  state.onMembersChanged = () => { memberCount.textContent = countMembers(state.assoc); };

  replace(page,
    h('div', {class: 'title-row'}, h('div', {}, heading(assoc.name), memberCount),
      canEdit && h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary', onclick: () => rename(state)}, 'Rename'),
        isMember && h('button', {type: 'button', class: 'secondary', onclick: () => leave(state)}, 'Leave'),
        h('button', {type: 'button', class: 'danger', onclick: () => remove(state)}, 'Delete'))),
    me?.status === 'invited' && invitationNotice(state),
    isMember && !canEdit && h('p', {class: 'notice'},
      'You are a member: you can answer its events; only its managers can change it. ',
      h('button', {type: 'button', class: 'secondary small', onclick: () => leave(state)}, 'Leave the association')),
    !me && !canEdit && h('p', {class: 'notice'},
      'You are not a member of this association: you can look, but only its managers can change it.'),
    h('div', {class: 'sections'}, members, h('div', {class: 'stack'}, events, minutes)));
  membersSection(members, state);
  eventsSection(events, state);
  minutesSection(minutes, state);
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

const members = (assoc) => assoc.members.filter((m) => m.status === 'member');

// countMembers says how many members an association has, and how many are invited.
function countMembers(assoc) {
  const invited = assoc.members.length - members(assoc).length;
  return plural(members(assoc).length, 'member') + (invited ? `, ${invited} invited` : '');
}

// invitationNotice lets the person invited accept or decline, here.
function invitationNotice(state) {
  const errors = h('div', {role: 'alert'});
  const answer = async (body, done) => {
    errors.replaceChildren();
    try {
      await put(`/invitations/${state.id}`, body);
    } catch (err) {
      replace(errors, errorMessage(err));
      return;
    }
    flash(done);
    navigate(location.pathname, {replace: true});
  };
  return h('div', {class: 'notice stack'},
    h('p', {}, `You are invited to join ${state.assoc.name}. Until you accept, you are not a member and get none of its e-mails.`),
    h('div', {class: 'actions'},
      h('button', {type: 'button', onclick: () => answer({answer: 'accept'}, `Welcome to ${state.assoc.name}!`)}, 'Accept'),
      h('button', {type: 'button', class: 'secondary', onclick: () => answer({answer: 'decline'}, 'You declined the invitation.')}, 'Decline'),
      h('button', {type: 'button', class: 'secondary', onclick: () => answer({answer: 'decline', never: true},
        `You declined, and will not be invited to ${state.assoc.name} again.`)}, 'Decline, and never invite me again')),
    errors);
}

function leave(state) {
  return confirmAction({
    title: `Leave ${state.assoc.name}?`,
    text: 'You lose your role in it and its e-mails stop. A manager can invite you again.',
    confirm: 'Leave',
    action: async () => {
      await del(`/associations/${state.id}/membership`);
      flash(`You left ${state.assoc.name}.`);
      navigate('/associations');
    },
  });
}

// section fills a section with its title, an optional action and a status line,
// and returns the status line and a slot for the content.
function section(el, {title, titleId, action}) {
  const status = h('p', {class: 'section-status', role: 'status'});
  const content = h('div', {}, loading());
  replace(el, h('div', {class: 'title-row'}, h('h2', {id: titleId}, title), action), status, content);
  return {status, content};
}

// act runs a change; once it succeeds, the section's status line says what was done
// (done, or else what work answered). A failure goes to the caller, the dialog that
// asked for the change.
async function act(status, work, done) {
  status.textContent = '';
  const said = await work();
  status.textContent = done ?? said;
}

async function rename(state) {
  await openDialog({
    title: 'Rename the association', submitLabel: 'Rename',
    build: (f) => append(f, [field('Name', 'name', {required: true, maxlength: 200, value: state.assoc.name})]),
    submit: async (f) => {
      const {name} = formValues(f);
      await put(`/associations/${state.id}`, {name});
      flash(`The association is now called ${name}.`);
      navigate(location.pathname, {replace: true});
    },
  });
}

function remove(state) {
  return confirmAction({
    title: `Delete ${state.assoc.name}?`,
    text: 'Its members, roles, minutes and events go with it, and the members of its upcoming events get a cancellation. This cannot be undone.',
    confirm: 'Delete the association',
    action: async () => {
      await del(`/associations/${state.id}`);
      flash(`${state.assoc.name} is deleted.`);
      navigate('/associations');
    },
  });
}

// Members

function membersSection(el, state) {
  const add = state.canEdit && h('div', {class: 'actions'},
    h('button', {type: 'button', onclick: () => addMember(state, status)}, 'Invite a member'),
    h('button', {type: 'button', class: 'secondary', onclick: () => inviteByEmail(state, status)}, 'Invite by e-mail'));
  const {status, content} = section(el, {title: 'Members', titleId: 'members-title', action: add});
  // showMembers renders the list again after a change, keeping the status line that tells of it.
  state.showMembers = () => {
    const {members} = state.assoc;
    if (!members.length) {
      replace(content, empty('No members yet.'));
      return;
    }
    replace(content, h('ul', {class: 'rows'}, members.map((m) => h('li', {},
      h('div', {},
        h('a', {href: `/users/${m.id}`}, fullName(m), m.id === state.session.id ? ' (you)' : ''), ' ',
        h('span', {class: 'badge'}, m.role),
        m.manager && h('span', {class: 'badge manager'}, 'manager'),
        m.status === 'invited' && h('span', {class: 'badge invited'}, 'invited')),
      state.canEdit && h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary small', 'aria-label': `Change the role of ${fullName(m)}`,
          onclick: () => changeRole(state, m, status)}, 'Role'),
        m.status === 'member' && h('button', {type: 'button', class: 'secondary small',
          'aria-label': `${m.manager ? 'Not manager' : 'Make manager'}: ${fullName(m)}`,
          onclick: () => setManager(state, m, !m.manager, status)}, m.manager ? 'Not manager' : 'Make manager'),
        h('button', {type: 'button', class: 'secondary small', 'aria-label': `Remove ${fullName(m)}`,
          onclick: () => removeMember(state, m, status)}, 'Remove'))))));
  };
  state.showMembers();
}

// reloadMembers fetches the association again after its members changed.
async function reloadMembers(state) {
  state.assoc = await get(`/associations/${state.id}`);
  if (!state.session.isAdmin && !state.assoc.members.some((m) => m.id === state.session.id && m.manager)) {
    navigate(location.pathname, {replace: true}); // you left: the page becomes read-only
    return;
  }
  state.onMembersChanged();
  state.showMembers();
}

// setRole gives a member a role; an empty role (or "member") removes theirs.
async function setRole(state, userId, role) {
  if (role && role !== 'member') {
    await post('/roles', {name: role, idUser: userId, idAssociation: state.id});
    return;
  }
  try {
    await del(`/roles/${userId}/${state.id}`);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'not_found')) throw err; // had no role: nothing to remove
  }
}

function changeRole(state, member, status) {
  return openDialog({
    title: `Role of ${fullName(member)}`, submitLabel: 'Save the role',
    build: (f) => append(f, [field('Role', 'role', {maxlength: 100, value: member.role === 'member' ? '' : member.role,
      placeholder: 'member'}, 'Leave it empty for a plain member.')]),
    submit: async (f) => {
      const {role} = formValues(f);
      await act(status, () => setRole(state, member.id, role), `${fullName(member)} is now ${role || 'a member'}.`);
      await reloadMembers(state);
    },
  });
}

function removeMember(state, member, status) {
  return confirmAction({
    title: `Remove ${fullName(member)}?`,
    text: member.status === 'invited' ? `${member.firstname}'s invitation to ${state.assoc.name} is withdrawn.`
      : `${member.firstname} leaves ${state.assoc.name} and loses their role in it.`,
    confirm: 'Remove',
    action: async () => {
      const idUsers = state.assoc.members.filter((m) => m.id !== member.id).map((m) => m.id);
      await act(status, () => put(`/associations/${state.id}`, {idUsers}),
        member.status === 'invited' ? `${fullName(member)} is no longer invited.` : `${fullName(member)} is no longer a member.`);
      await reloadMembers(state);
    },
  });
}

async function addMember(state, status) {
  let chosen = null;
  await openDialog({
    title: 'Invite a member', submitLabel: 'Invite',
    build: (f) => {
      const who = h('p', {class: 'chosen', role: 'status'}, 'No one chosen yet.');
      append(f, [
        personPicker({label: 'Person', exclude: (u) => state.assoc.members.some((m) => m.id === u.id),
          onPick: (u) => { chosen = u; who.textContent = `Chosen: ${fullName(u)}${u.email ? ` (${u.email})` : ''}`; }}),
        who,
        field('Role', 'role', {maxlength: 100, placeholder: 'member'}, 'Leave it empty for a plain member.'),
        h('p', {class: 'hint'}, 'They get an invitation by e-mail, and become a member when they accept.')]);
    },
    submit: async (f) => {
      if (!chosen) throw new ApiError(400, ['choose the person to add first']);
      const {role} = formValues(f);
      const idUsers = [...state.assoc.members.map((m) => m.id), chosen.id];
      await act(status, async () => {
        await put(`/associations/${state.id}`, {idUsers});
        if (role && role !== 'member') await setRole(state, chosen.id, role);
      }, `${fullName(chosen)} is invited${role && role !== 'member' ? ` as ${role}` : ''}.`);
      await reloadMembers(state);
    },
  });
}

// setManager makes a member a manager, or no longer one.
async function setManager(state, member, manager, status) {
  try {
    await act(status, () => put(`/associations/${state.id}/members/${member.id}`, {manager}),
      manager ? `${fullName(member)} is now a manager.` : `${fullName(member)} is no longer a manager.`);
  } catch (err) {
    replace(status, errorMessage(err));
    return;
  }
  await reloadMembers(state);
}

// inviteByEmail invites someone by address: with an account, they get an invitation;
// without one, an e-mail that leads to sign-up.
function inviteByEmail(state, status) {
  return openDialog({
    title: 'Invite by e-mail', submitLabel: 'Send the invitation',
    build: (f) => append(f, [field('E-mail address', 'email', {type: 'email', required: true, maxlength: 254},
      'If they have no account yet, the e-mail invites them to sign up first.')]),
    submit: async (f) => {
      const {email} = formValues(f);
      await act(status, () => post(`/associations/${state.id}/invitations`, {email}), `An invitation is on its way to ${email}.`);
      await reloadMembers(state);
    },
  });
}

// Events

const statusOrder = {ongoing: 0, upcoming: 1, ended: 2};

// byRelevance shows what is on now first, then what comes next, then the past, latest first.
function byRelevance(a, b) {
  const sa = eventStatus(a), sb = eventStatus(b);
  if (sa !== sb) return statusOrder[sa] - statusOrder[sb];
  const order = new Date(a.start) - new Date(b.start);
  return sa === 'ended' ? -order : order;
}

async function eventsSection(el, state) {
  const add = state.canEdit && h('button', {type: 'button', onclick: () => eventDialog(state, null, status, refresh)}, 'New event');
  const {status, content} = section(el, {title: 'Events', titleId: 'events-title', action: add});
  const refresh = () => loadEvents(state, content, status, refresh);
  await refresh();
}

// loadList fetches a list for el: its items, or null once el shows the error or,
// for an empty list, emptyText.
async function loadList(el, path, emptyText) {
  try {
    const list = await get(path);
    if (list.length) return list;
    replace(el, empty(emptyText));
  } catch (err) {
    replace(el, errorMessage(err));
  }
  return null;
}

// attendanceLine counts the answers: going (of how many places), waiting, not going, no answer.
function attendanceLine(ev) {
  const {going, waiting = 0, notGoing, noAnswer} = ev.attendance;
  const places = ev.capacity ? ` of ${plural(ev.capacity, 'place')}` : '';
  return `${going} going${places}` + (ev.capacity || waiting ? ` · ${waiting} waiting` : '') +
    ` · ${notGoing} not going · ${noAnswer} no answer`;
}

// myAnswer says where the member stands: coming, waiting (at which position), not coming.
function myAnswer(mine) {
  switch (mine?.state) {
    case 'going': return 'You are coming.';
    case 'waiting': return `You are on the waiting list, position ${mine.position}: you will get an e-mail if a place frees up.`;
    case 'not_going': return 'You are not coming.';
    case 'no_answer': return 'You have not answered yet.';
    default: return null;
  }
}

async function loadEvents(state, content, status, refresh) {
  const events = await loadList(content, `/events/association/${state.id}`, 'No events planned.');
  if (!events) return;
  replace(content, h('ul', {class: 'rows'}, events.sort(byRelevance).map((ev) => {
    const s = eventStatus(ev);
    const answer = (value, label) => h('button', {type: 'button', class: 'secondary small', 'aria-label': `${label}: ${ev.name}`,
      onclick: () => answerEvent(ev, value, label, status, refresh)}, label);
    return h('li', {class: 'event'},
      h('div', {class: 'details'},
        h('strong', {}, ev.name), ' ', h('span', {class: `badge ${s}`}, s), h('br'),
        h('span', {class: 'muted'}, `${formatDateTime(ev.start)} → ${formatDateTime(ev.end)} (${duration(ev)})`), h('br'),
        ev.place && [h('span', {class: 'place'}, `Place: ${ev.place}`), h('br')],
        h('span', {class: 'attendance'}, attendanceLine(ev)),
        ev.description && h('p', {class: 'content'}, ev.description),
        myAnswer(ev.myAttendance) && h('p', {class: 'my-answer'}, myAnswer(ev.myAttendance)),
        (state.isMember || state.session.isAdmin) && attendees(ev)),
      state.isMember && s !== 'ended' && h('div', {class: 'actions'}, answer('going', "I'm coming"), answer('not_going', "I can't come")),
      state.canEdit && h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary small', 'aria-label': `Edit ${ev.name}`,
          onclick: () => eventDialog(state, ev, status, refresh)}, 'Edit'),
        h('button', {type: 'button', class: 'secondary small', 'aria-label': `Delete ${ev.name}`,
          onclick: () => deleteEvent(state, ev, status, refresh)}, 'Delete')));
  })));
}

// attendees lists who answered what, loaded when the member opens it.
function attendees(ev) {
  const list = h('div', {}, loading());
  const names = (users, none) => users.length ? users.map(fullName).join(', ') : none;
  const el = h('details', {class: 'attendees'}, h('summary', {}, 'Who is coming'), list);
  el.addEventListener('toggle', async () => {
    if (!el.open) return;
    try {
      const who = await get(`/attendance/${ev.id}`);
      replace(list, h('dl', {},
        h('dt', {}, 'Going'), h('dd', {}, names(who.going, 'Nobody yet.')),
        who.waiting.length > 0 && [h('dt', {}, 'Waiting list'),
          h('dd', {}, h('ol', {}, who.waiting.map((u) => h('li', {}, fullName(u)))))],
        h('dt', {}, 'Not going'), h('dd', {}, names(who.notGoing, 'Nobody.')),
        h('dt', {}, 'No answer'), h('dd', {}, names(who.noAnswer, 'Nobody.'))));
    } catch (err) {
      replace(list, errorMessage(err));
    }
  });
  return el;
}

// answerEvent records the member's answer to an event (they may change it any time)
// and says where they stand: an event's places may all be taken.
async function answerEvent(ev, answer, label, status, refresh) {
  try {
    await act(status, async () => {
      const saved = await put(`/attendance/${ev.id}`, {answer});
      return `${label}: ${ev.name}. ${myAnswer(saved.myAttendance) ?? 'Your answer is saved.'}`;
    });
  } catch (err) {
    replace(status, errorMessage(err));
    return;
  }
  await refresh();
}

function eventDialog(state, ev, status, refresh) {
  const invited = members(state.assoc).length;
  return openDialog({
    title: ev ? `Edit ${ev.name}` : 'New event', submitLabel: ev ? 'Save the event' : 'Create the event',
    build: (f) => append(f, [
      field('Name', 'name', {required: true, maxlength: 200, value: ev?.name}),
      h('div', {class: 'row'},
        field('Starts', 'start', {type: 'datetime-local', required: true, value: ev && toLocalInput(ev.start)}),
        field('Ends', 'end', {type: 'datetime-local', required: true, value: ev && toLocalInput(ev.end)})),
      h('p', {class: 'hint'}, `Times are in your time zone. Every member (${invited}) gets ${ev ? 'the update' : 'an invitation'} by e-mail, with a calendar file.`),
      field('Place (optional)', 'place', {maxlength: 200, value: ev?.place}),
      field('Description (optional)', 'description', {type: 'textarea', rows: 4, maxlength: 5000, value: ev?.description}),
      field('Places (optional)', 'capacity', {type: 'number', min: 1, max: 100000, step: 1, inputmode: 'numeric', value: ev?.capacity},
        'Leave empty for no limit. Once every place is taken, members who say they are coming wait on a list, and move up in order, told by e-mail, when a place frees up.')]),
    submit: async (f) => {
      const v = formValues(f);
      if (new Date(v.end) < new Date(v.start)) throw new ApiError(400, ['the event must end after it starts']);
      // Empty fields say the event has none: that clears them on a change.
      const body = {name: v.name, start: fromLocalInput(v.start), end: fromLocalInput(v.end),
        place: v.place, description: v.description, capacity: v.capacity ? Number(v.capacity) : null};
      await act(status, () => ev ? patch(`/events/${ev.id}`, body) : post('/events', {...body, association: state.id}),
        ev ? `${v.name} is saved: members get the update by e-mail.`
          : `${v.name} is planned: invitations are on their way to ${plural(invited, 'member')}.`);
      await refresh();
    },
  });
}

function deleteEvent(state, ev, status, refresh) {
  return confirmAction({
    title: `Delete ${ev.name}?`, text: 'Members get a cancellation by e-mail.', confirm: 'Delete the event',
    action: async () => {
      await act(status, () => del(`/events/${ev.id}`), `${ev.name} is deleted: members are told it is cancelled.`);
      await refresh();
    },
  });
}

// Minutes

const sorts = {
  'date-DESC': 'Newest first', 'date-ASC': 'Oldest first', 'content-ASC': 'Content A to Z', 'content-DESC': 'Content Z to A',
};

async function minutesSection(el, state) {
  const add = state.canEdit && h('button', {type: 'button', onclick: () => minutesDialog(state, null, status, refresh)}, 'Write minutes');
  const {status, content} = section(el, {title: 'Minutes', titleId: 'minutes-title', action: add});
  const sort = h('select', {id: 'minutes-sort'}, Object.entries(sorts).map(([value, label]) => h('option', {value}, label)));
  const list = h('div', {});
  replace(content, h('div', {class: 'field inline'}, h('label', {for: 'minutes-sort'}, 'Sort'), sort), list);
  const refresh = () => loadMinutes(state, list, sort.value, status, refresh);
  sort.addEventListener('change', refresh);
  await refresh();
}

async function loadMinutes(state, list, sortValue, status, refresh) {
  const [sort, order] = sortValue.split('-');
  replace(list, loading());
  const minutes = await loadList(list, `/associations/${state.id}/minutes?sort=${sort}&order=${order}`, 'No minutes written yet.');
  if (!minutes) return;
  replace(list, h('ul', {class: 'rows'}, minutes.map((m) => h('li', {class: 'minute'},
    h('div', {},
      h('h3', {}, formatDay(m.date)),
      h('p', {class: 'content'}, m.content),
      h('p', {class: 'muted'}, m.voters.length ? `Voters: ${m.voters.map(fullName).join(', ')}` : 'No voters recorded.')),
    state.canEdit && h('div', {class: 'actions'},
      h('button', {type: 'button', class: 'secondary small', 'aria-label': `Edit the minutes of ${formatDay(m.date)}`,
        onclick: () => minutesDialog(state, m, status, refresh)}, 'Edit'),
      h('button', {type: 'button', class: 'secondary small', 'aria-label': `Delete the minutes of ${formatDay(m.date)}`,
        onclick: () => deleteMinutes(m, status, refresh)}, 'Delete'))))));
}

function deleteMinutes(m, status, refresh) {
  return confirmAction({
    title: 'Delete these minutes?', text: `The minutes of ${formatDay(m.date)} are deleted for good.`, confirm: 'Delete',
    action: async () => {
      await act(status, () => del(`/minutes/${m.id}`), 'The minutes are deleted.');
      await refresh();
    },
  });
}

// minutesDialog writes new minutes, or edits m.
function minutesDialog(state, m, status, refresh) {
  // Who may be ticked: the members, and whoever voted before and has left since.
  const people = [...members(state.assoc), ...(m?.voters ?? []).filter((v) => !members(state.assoc).some((x) => x.id === v.id))];
  const voted = (p) => m?.voters.some((v) => v.id === p.id);
  return openDialog({
    title: m ? 'Edit the minutes' : 'Write minutes', submitLabel: 'Save the minutes',
    build: (f) => append(f, [
      field('Date', 'date', {type: 'date', required: true, value: m ? m.date.slice(0, 10) : today()}),
      field('What was said and decided', 'content', {type: 'textarea', required: true, rows: 6, maxlength: 10000, value: m?.content}),
      h('fieldset', {class: 'stack'}, h('legend', {}, 'Voters'),
        people.length
          ? people.map((p) => h('div', {class: 'check'},
            h('input', {type: 'checkbox', name: 'voter', value: p.id, id: `voter-${p.id}`, checked: voted(p)}),
            h('label', {for: `voter-${p.id}`}, fullName(p))))
          : h('p', {class: 'muted'}, 'The association has no members to vote.'))]),
    submit: async (f) => {
      const {date, content} = formValues(f);
      const idVoters = [...f.querySelectorAll('input[name=voter]:checked')].map((c) => Number(c.value));
      const body = {content, date, idAssociation: state.id, idVoters};
      await act(status, () => m ? put(`/minutes/${m.id}`, body) : post('/minutes', body), 'The minutes are saved.');
      await refresh();
    },
  });
}

// An association's page: its members and their roles, its events, its minutes.
// Everyone signed in may look; members answer events; only its managers (and the
// administrator) get the controls that change it, and the API refuses anyone else
// all the same. A person invited sees the invitation, to accept or decline.

import {ApiError, Problem, del, get, patch, post, put} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {duration, eventStatus, formatDay, formatRange, fromLocalInput, fullName, isPlainMember, roleName, tellApart, toLocalInput, today} from '../format.js';
import {t, timeZone} from '../i18n.js';
import {flash, navigate} from '../router.js';
import {confirmAction, downloadButton, empty, errorMessage, heading, loadPage, loading, openDialog, personPicker} from '../ui.js';

export async function association(page, {params, session}) {
  const id = params.id;
  page.append(heading(t('association.title')), loading());
  const assoc = await loadPage(page, t('association.title'), () => get(`/associations/${id}`),
    {notFound: t('association.notFound', {id: String(id)})});
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
        h('button', {type: 'button', class: 'secondary', onclick: () => rename(state)}, t('association.rename')),
        isMember && h('button', {type: 'button', class: 'secondary', onclick: () => leave(state)}, t('association.leave')),
        h('button', {type: 'button', class: 'danger', onclick: () => remove(state)}, t('association.delete')))),
    me?.status === 'invited' && invitationNotice(state),
    isMember && !canEdit && h('p', {class: 'notice'},
      t('association.memberNotice'), ' ',
      h('button', {type: 'button', class: 'secondary small', onclick: () => leave(state)}, t('association.leaveLong'))),
    !me && !canEdit && h('p', {class: 'notice'}, t('association.notMemberNotice')),
    h('div', {class: 'sections'}, members, h('div', {class: 'stack'}, events, minutes)));
  membersSection(members, state);
  eventsSection(events, state);
  minutesSection(minutes, state);
}

const members = (assoc) => assoc.members.filter((m) => m.status === 'member');

// countMembers says how many members an association has, and how many are invited.
function countMembers(assoc) {
  const invited = assoc.members.length - members(assoc).length;
  const count = members(assoc).length;
  return [t('members.count', {count}), invited && t('members.invitedCount', {count: invited})].filter(Boolean).join(', ');
}

// invitationNotice lets the person invited accept or decline, here.
function invitationNotice(state) {
  const association = state.assoc.name;
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
    h('p', {}, t('association.invitedNotice', {association})),
    h('div', {class: 'actions'},
      h('button', {type: 'button', onclick: () => answer({answer: 'accept'}, t('invitation.welcome', {association}))}, t('invitation.accept')),
      h('button', {type: 'button', class: 'secondary', onclick: () => answer({answer: 'decline'}, t('invitation.declined', {association}))},
        t('invitation.decline')),
      h('button', {type: 'button', class: 'secondary', onclick: () => answer({answer: 'decline', never: true},
        t('invitation.declinedForGood', {association}))}, t('invitation.declineForGood'))),
    errors);
}

function leave(state) {
  return confirmAction({
    title: t('association.leaveQuestion', {association: state.assoc.name}),
    text: t('association.leaveText'),
    confirm: t('association.leave'),
    action: async () => {
      await del(`/associations/${state.id}/membership`);
      flash(t('association.left', {association: state.assoc.name}));
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
    title: t('association.renameTitle'), submitLabel: t('association.rename'),
    build: (f) => append(f, [field(t('field.name'), 'name', {required: true, maxlength: 200, value: state.assoc.name})]),
    submit: async (f) => {
      const {name} = formValues(f);
      await put(`/associations/${state.id}`, {name});
      flash(t('association.renamed', {association: name}));
      navigate(location.pathname, {replace: true});
    },
  });
}

function remove(state) {
  return confirmAction({
    title: t('association.deleteQuestion', {association: state.assoc.name}),
    text: t('association.deleteText'),
    confirm: t('association.deleteConfirm'),
    action: async () => {
      await del(`/associations/${state.id}`);
      flash(t('association.deleted', {association: state.assoc.name}));
      navigate('/associations');
    },
  });
}

// Members

function membersSection(el, state) {
  const add = state.canEdit && h('div', {class: 'actions'},
    h('button', {type: 'button', onclick: () => addMember(state, status)}, t('members.invite')),
    h('button', {type: 'button', class: 'secondary', onclick: () => inviteByEmail(state, status)}, t('members.inviteByEmail')));
  const {status, content} = section(el, {title: t('members.title'), titleId: 'members-title', action: add});
  if (add) {
    add.append(downloadButton(t('export.download', {format: 'CSV'}), `/associations/${state.id}/members.csv`, status,
      {'aria-label': t('export.downloadMembers', {format: 'CSV'})}));
  }
  // showMembers renders the list again after a change, keeping the status line that tells of it.
  state.showMembers = () => {
    const {members} = state.assoc;
    if (!members.length) {
      replace(content, empty(t('members.none')));
      return;
    }
    replace(content, h('ul', {class: 'rows'}, members.map((m) => h('li', {},
      h('div', {},
        h('a', {href: `/users/${m.id}`}, m.id === state.session.id ? t('members.you', {name: fullName(m)}) : fullName(m)), ' ',
        h('span', {class: 'badge'}, roleName(m.role)),
        m.manager && h('span', {class: 'badge manager'}, t('members.manager')),
        m.status === 'invited' && h('span', {class: 'badge invited'}, t('members.invited'))),
      state.canEdit && h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'secondary small', 'aria-label': t('members.changeRoleLabel', {name: fullName(m)}),
          onclick: () => changeRole(state, m, status)}, t('members.role')),
        m.status === 'member' && h('button', {type: 'button', class: 'secondary small',
          'aria-label': m.manager ? t('members.unmakeManagerLabel', {name: fullName(m)}) : t('members.makeManagerLabel', {name: fullName(m)}),
          onclick: () => setManager(state, m, !m.manager, status)}, m.manager ? t('members.unmakeManager') : t('members.makeManager')),
        h('button', {type: 'button', class: 'secondary small', 'aria-label': t('members.removeLabel', {name: fullName(m)}),
          onclick: () => removeMember(state, m, status)}, t('members.remove')))))));
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
  if (!isPlainMember(role)) {
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
    title: t('members.roleOf', {name: fullName(member)}), submitLabel: t('members.saveRole'),
    build: (f) => append(f, [field(t('field.role'), 'role', {maxlength: 100, value: isPlainMember(member.role) ? '' : member.role,
      placeholder: t('role.placeholder')}, t('role.hint'))]),
    submit: async (f) => {
      const {role} = formValues(f);
      await act(status, () => setRole(state, member.id, role), isPlainMember(role)
        ? t('members.nowPlainMember', {name: fullName(member)}) : t('members.nowRole', {name: fullName(member), role}));
      await reloadMembers(state);
    },
  });
}

function removeMember(state, member, status) {
  return confirmAction({
    title: t('members.removeQuestion', {name: fullName(member)}),
    text: member.status === 'invited'
      ? t('members.withdrawText', {name: member.firstname, association: state.assoc.name})
      : t('members.removeText', {name: member.firstname, association: state.assoc.name}),
    confirm: t('members.remove'),
    action: async () => {
      const idUsers = state.assoc.members.filter((m) => m.id !== member.id).map((m) => m.id);
      await act(status, () => put(`/associations/${state.id}`, {idUsers}), member.status === 'invited'
        ? t('members.withdrawn', {name: fullName(member)}) : t('members.removed', {name: fullName(member)}));
      await reloadMembers(state);
    },
  });
}

async function addMember(state, status) {
  let chosen = null;
  await openDialog({
    title: t('members.invite'), submitLabel: t('members.inviteSubmit'),
    build: (f) => {
      const who = h('p', {class: 'chosen', role: 'status'}, t('members.noOneChosen'));
      append(f, [
        personPicker({label: t('members.person'), exclude: (u) => state.assoc.members.some((m) => m.id === u.id),
          onPick: (u) => { chosen = u; who.textContent = t('members.chosen', {name: fullName(u), who: tellApart(u)}); }}),
        who,
        field(t('field.role'), 'role', {maxlength: 100, placeholder: t('role.placeholder')}, t('role.hint')),
        h('p', {class: 'hint'}, t('members.inviteHint'))]);
    },
    submit: async (f) => {
      if (!chosen) throw new Problem(t('members.chooseFirst'));
      const {role} = formValues(f);
      const idUsers = [...state.assoc.members.map((m) => m.id), chosen.id];
      await act(status, async () => {
        await put(`/associations/${state.id}`, {idUsers});
        if (!isPlainMember(role)) await setRole(state, chosen.id, role);
      }, isPlainMember(role) ? t('members.invitedDone', {name: fullName(chosen)})
        : t('members.invitedAs', {name: fullName(chosen), role}));
      await reloadMembers(state);
    },
  });
}

// setManager makes a member a manager, or no longer one.
async function setManager(state, member, manager, status) {
  try {
    await act(status, () => put(`/associations/${state.id}/members/${member.id}`, {manager}),
      manager ? t('members.nowManager', {name: fullName(member)}) : t('members.noLongerManager', {name: fullName(member)}));
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
    title: t('members.inviteByEmail'), submitLabel: t('members.sendInvitation'),
    build: (f) => append(f, [field(t('field.email'), 'email', {type: 'email', required: true, maxlength: 254},
      t('members.inviteByEmailHint'))]),
    submit: async (f) => {
      const {email} = formValues(f);
      await act(status, () => post(`/associations/${state.id}/invitations`, {email}), t('members.invitationSent', {email}));
      await reloadMembers(state);
    },
  });
}

// Events

const statusOrder = {ongoing: 0, upcoming: 1, ended: 2};
const statusName = {ongoing: () => t('events.ongoing'), upcoming: () => t('events.upcoming'), ended: () => t('events.ended')};

// byRelevance shows what is on now first, then what comes next, then the past, latest first.
function byRelevance(a, b) {
  const sa = eventStatus(a), sb = eventStatus(b);
  if (sa !== sb) return statusOrder[sa] - statusOrder[sb];
  const order = new Date(a.start) - new Date(b.start);
  return sa === 'ended' ? -order : order;
}

async function eventsSection(el, state) {
  const add = state.canEdit && h('button', {type: 'button', onclick: () => eventDialog(state, null, status, refresh)}, t('events.new'));
  const {status, content} = section(el, {title: t('events.title'), titleId: 'events-title', action: add});
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
  const goingOf = t('events.going', {count: going}) + (ev.capacity ? ' ' + t('events.places', {count: ev.capacity}) : '');
  return [goingOf, (ev.capacity || waiting) && t('events.waiting', {count: waiting}),
    t('events.notGoing', {count: notGoing}), t('events.noAnswer', {count: noAnswer})].filter(Boolean).join(' · ');
}

// myAnswer says where the member stands: coming, waiting (at which position), not coming.
function myAnswer(mine) {
  switch (mine?.state) {
    case 'going': return t('events.mine.going');
    case 'waiting': return t('events.mine.waiting', {position: mine.position});
    case 'not_going': return t('events.mine.notGoing');
    case 'no_answer': return t('events.mine.noAnswer');
    default: return null;
  }
}

async function loadEvents(state, content, status, refresh) {
  const events = await loadList(content, `/events/association/${state.id}`, t('events.none'));
  if (!events) return;
  replace(content, h('ul', {class: 'rows'}, events.sort(byRelevance).map((ev) => {
    const s = eventStatus(ev);
    const answer = (value, label) => h('button', {type: 'button', class: 'secondary small',
      'aria-label': t('events.answerLabel', {answer: label, event: ev.name}),
      onclick: () => answerEvent(ev, value, label, status, refresh)}, label);
    return h('li', {class: 'event'},
      h('div', {class: 'details'},
        h('strong', {}, ev.name), ' ', h('span', {class: `badge ${s}`}, statusName[s]()), h('br'),
        h('span', {class: 'muted'}, t('events.when', {when: formatRange(ev.start, ev.end), duration: duration(ev)})), h('br'),
        ev.place && [h('span', {class: 'place'}, t('events.place', {place: ev.place})), h('br')],
        h('span', {class: 'attendance'}, attendanceLine(ev)),
        ev.description && h('p', {class: 'content'}, ev.description),
        myAnswer(ev.myAttendance) && h('p', {class: 'my-answer'}, myAnswer(ev.myAttendance)),
        (state.isMember || state.session.isAdmin) && attendees(ev)),
      state.isMember && s !== 'ended' && h('div', {class: 'actions'},
        answer('going', t('event.going')), answer('not_going', t('event.notGoing'))),
      state.canEdit && h('div', {class: 'actions'},
        downloadButton(t('export.attendance', {format: 'CSV'}), `/attendance/${ev.id}/attendees.csv`, status,
          {class: 'secondary small', 'aria-label': t('export.attendanceLabel', {format: 'CSV', event: ev.name})}),
        h('button', {type: 'button', class: 'secondary small', 'aria-label': t('events.editLabel', {event: ev.name}),
          onclick: () => eventDialog(state, ev, status, refresh)}, t('ui.edit')),
        h('button', {type: 'button', class: 'secondary small', 'aria-label': t('events.deleteLabel', {event: ev.name}),
          onclick: () => deleteEvent(state, ev, status, refresh)}, t('ui.delete'))));
  })));
}

// attendees lists who answered what, loaded when the member opens it.
function attendees(ev) {
  const list = h('div', {}, loading());
  const names = (users, none) => users.length ? users.map(fullName).join(', ') : none;
  const el = h('details', {class: 'attendees'}, h('summary', {}, t('events.who')), list);
  el.addEventListener('toggle', async () => {
    if (!el.open) return;
    try {
      const who = await get(`/attendance/${ev.id}`);
      replace(list, h('dl', {},
        h('dt', {}, t('events.who.going')), h('dd', {}, names(who.going, t('events.who.nobodyYet'))),
        who.waiting.length > 0 && [h('dt', {}, t('events.who.waiting')),
          h('dd', {}, h('ol', {}, who.waiting.map((u) => h('li', {}, fullName(u)))))],
        h('dt', {}, t('events.who.notGoing')), h('dd', {}, names(who.notGoing, t('events.who.nobody'))),
        h('dt', {}, t('events.who.noAnswer')), h('dd', {}, names(who.noAnswer, t('events.who.nobody')))));
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
      const where = myAnswer(saved.myAttendance);
      return where ? t('events.answeredWhere', {answer: label, event: ev.name, where}) : t('events.answered', {answer: label, event: ev.name});
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
    title: ev ? t('events.editLabel', {event: ev.name}) : t('events.new'),
    submitLabel: ev ? t('events.save') : t('events.create'),
    build: (f) => append(f, [
      field(t('field.name'), 'name', {required: true, maxlength: 200, value: ev?.name}),
      h('div', {class: 'row'},
        field(t('field.start'), 'start', {type: 'datetime-local', required: true, value: ev && toLocalInput(ev.start)}),
        field(t('field.end'), 'end', {type: 'datetime-local', required: true, value: ev && toLocalInput(ev.end)})),
      h('p', {class: 'hint'}, t('events.zoneHint', {zone: timeZone().replaceAll('_', ' ')}), ' ',
        ev ? t('events.updateHint', {count: invited}) : t('events.invitationHint', {count: invited})),
      field(t('field.place'), 'place', {maxlength: 200, value: ev?.place}),
      field(t('field.description'), 'description', {type: 'textarea', rows: 4, maxlength: 5000, value: ev?.description}),
      field(t('field.capacity'), 'capacity', {type: 'number', min: 1, max: 100000, step: 1, inputmode: 'numeric', value: ev?.capacity},
        t('field.capacityHint'))]),
    submit: async (f) => {
      const v = formValues(f);
      if (new Date(v.end) < new Date(v.start)) throw new Problem(t('validation.endBeforeStart'));
      // Empty fields say the event has none: that clears them on a change.
      const body = {name: v.name, start: fromLocalInput(v.start), end: fromLocalInput(v.end),
        place: v.place, description: v.description, capacity: v.capacity ? Number(v.capacity) : null};
      await act(status, () => ev ? patch(`/events/${ev.id}`, body) : post('/events', {...body, association: state.id}),
        ev ? t('events.saved', {event: v.name}) : t('events.planned', {event: v.name, count: invited}));
      await refresh();
    },
  });
}

function deleteEvent(state, ev, status, refresh) {
  return confirmAction({
    title: t('events.deleteQuestion', {event: ev.name}), text: t('events.deleteText'), confirm: t('events.deleteConfirm'),
    action: async () => {
      await act(status, () => del(`/events/${ev.id}`), t('events.deleted', {event: ev.name}));
      await refresh();
    },
  });
}

// Minutes

const sorts = () => ({
  'date-DESC': t('minutes.newestFirst'), 'date-ASC': t('minutes.oldestFirst'),
  'content-ASC': t('minutes.contentAZ'), 'content-DESC': t('minutes.contentZA'),
});

async function minutesSection(el, state) {
  const add = state.canEdit && h('div', {class: 'actions'},
    h('button', {type: 'button', onclick: () => minutesDialog(state, null, status, refresh)}, t('minutes.write')));
  const {status, content} = section(el, {title: t('minutes.title'), titleId: 'minutes-title', action: add});
  if (add) {
    add.append(downloadButton(t('export.download', {format: 'Markdown'}), `/associations/${state.id}/minutes.md`, status,
      {'aria-label': t('export.downloadMinutes', {format: 'Markdown'})}));
  }
  const sort = h('select', {id: 'minutes-sort'}, Object.entries(sorts()).map(([value, label]) => h('option', {value}, label)));
  const list = h('div', {});
  replace(content, h('div', {class: 'field inline'}, h('label', {for: 'minutes-sort'}, t('minutes.sort')), sort), list);
  const refresh = () => loadMinutes(state, list, sort.value, status, refresh);
  sort.addEventListener('change', refresh);
  await refresh();
}

async function loadMinutes(state, list, sortValue, status, refresh) {
  const [sort, order] = sortValue.split('-');
  replace(list, loading());
  const minutes = await loadList(list, `/associations/${state.id}/minutes?sort=${sort}&order=${order}`, t('minutes.none'));
  if (!minutes) return;
  replace(list, h('ul', {class: 'rows'}, minutes.map((m) => h('li', {class: 'minute'},
    h('div', {},
      h('h3', {}, formatDay(m.date)),
      h('p', {class: 'content'}, m.content),
      h('p', {class: 'muted'}, m.voters.length ? t('minutes.voters', {names: m.voters.map(fullName).join(', ')}) : t('minutes.noVoters'))),
    state.canEdit && h('div', {class: 'actions'},
      h('button', {type: 'button', class: 'secondary small', 'aria-label': t('minutes.editLabel', {day: formatDay(m.date)}),
        onclick: () => minutesDialog(state, m, status, refresh)}, t('ui.edit')),
      h('button', {type: 'button', class: 'secondary small', 'aria-label': t('minutes.deleteLabel', {day: formatDay(m.date)}),
        onclick: () => deleteMinutes(m, status, refresh)}, t('ui.delete')))))));
}

function deleteMinutes(m, status, refresh) {
  return confirmAction({
    title: t('minutes.deleteQuestion'), text: t('minutes.deleteText', {day: formatDay(m.date)}), confirm: t('ui.delete'),
    action: async () => {
      await act(status, () => del(`/minutes/${m.id}`), t('minutes.deleted'));
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
    title: m ? t('minutes.edit') : t('minutes.write'), submitLabel: t('minutes.save'),
    build: (f) => append(f, [
      field(t('field.date'), 'date', {type: 'date', required: true, value: m ? m.date.slice(0, 10) : today()}),
      field(t('field.content'), 'content', {type: 'textarea', required: true, rows: 6, maxlength: 10000, value: m?.content}),
      h('fieldset', {class: 'stack'}, h('legend', {}, t('minutes.votersLegend')),
        people.length
          ? people.map((p) => h('div', {class: 'check'},
            h('input', {type: 'checkbox', name: 'voter', value: p.id, id: `voter-${p.id}`, checked: voted(p)}),
            h('label', {for: `voter-${p.id}`}, fullName(p))))
          : h('p', {class: 'muted'}, t('minutes.noMembers')))]),
    submit: async (f) => {
      const {date, content} = formValues(f);
      const idVoters = [...f.querySelectorAll('input[name=voter]:checked')].map((c) => Number(c.value));
      const body = {content, date, idAssociation: state.id, idVoters};
      await act(status, () => m ? put(`/minutes/${m.id}`, body) : post('/minutes', body), t('minutes.saved'));
      await refresh();
    },
  });
}

// Associations: the list, and creating one with its members and their roles.

import {describe, get, getPage, getUser, post, put} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {fullName, isPlainMember, matches, tellApart} from '../format.js';
import {t} from '../i18n.js';
import {flash, navigate} from '../router.js';
import {SHOWN, empty, errorBox, errorMessage, handleSubmit, heading, liveSearch, loadPage, loading, personPicker, showCards} from '../ui.js';

export async function associations(page, {session}) {
  const status = loading();
  const create = h('a', {href: '/associations/new', class: 'button'}, t('newAssociation.title'));
  const invitations = h('section', {class: 'stack', 'aria-label': t('associations.invitations')});
  page.append(h('div', {class: 'title-row'}, heading(t('associations.title')), create), invitations, status);
  showInvitations(invitations);
  // The first page, then what the API finds (?q=) as the search changes; "Only mine"
  // shows the caller's own associations (GET /users/{id}), which are few.
  const everyone = await loadPage(page, t('associations.title'), () => getPage(`/associations?limit=${SHOWN}`));
  if (!everyone) return;
  if (!everyone.total) {
    status.replaceWith(empty(t('associations.none'), create.cloneNode(true)));
    return;
  }
  const search = h('input', {type: 'search', id: 'association-search', placeholder: t('associations.searchPlaceholder')});
  const mine = h('input', {type: 'checkbox', id: 'association-mine'});
  const count = h('p', {class: 'muted', role: 'status'});
  const results = h('ul', {class: 'cards'});
  let own; // the caller's associations, read once, when "Only mine" is first ticked
  const find = async (query) => {
    if (!mine.checked) {
      return query ? getPage(`/associations?limit=${SHOWN}&q=${encodeURIComponent(query)}`) : everyone;
    }
    own ??= (await getUser(session.id)).associations.map((a) => ({...a, members: a.users}));
    const kept = own.filter((a) => matches(a.name, query));
    return {data: kept, total: kept.length};
  };
  const show = liveSearch(search, results, find, (found) => showCards(results, count, found.data, {
    total: found.total,
    summary: t('associations.count', {count: found.total, total: everyone.total}),
    card: (a) => h('li', {class: 'card'},
      h('a', {href: `/associations/${a.id}`, class: 'title'}, a.name),
      a.members.some((m) => m.id === session.id && m.status === 'member') && h('span', {class: 'badge'}, t('associations.youAreMember')),
      h('p', {class: 'muted'}, memberSummary(a.members.filter((m) => m.status === 'member')))),
    none: t('associations.noMatch'),
  }));
  mine.addEventListener('change', show);
  status.replaceWith(
    h('div', {class: 'filters'},
      h('div', {class: 'field'}, h('label', {for: 'association-search'}, t('associations.search')), search),
      h('div', {class: 'check'}, mine, h('label', {for: 'association-mine'}, t('associations.onlyMine')))),
    count, results);
  show();
}

// showInvitations lists the caller's pending invitations, each to accept or decline.
async function showInvitations(el) {
  let pending;
  try {
    pending = await get('/invitations');
  } catch (err) {
    replace(el, errorMessage(err));
    return;
  }
  if (!pending.length) {
    el.replaceChildren();
    return;
  }
  const status = h('p', {role: 'status'});
  const answer = async (inv, body, done) => {
    status.textContent = '';
    try {
      await put(`/invitations/${inv.association.id}`, body);
    } catch (err) {
      replace(status, errorMessage(err));
      return;
    }
    flash(done);
    navigate(body.answer === 'accept' ? `/associations/${inv.association.id}` : location.pathname, {replace: body.answer !== 'accept'});
  };
  replace(el, h('h2', {}, t('associations.invitations')), status, h('ul', {class: 'cards'}, pending.map((inv) => {
    const association = inv.association.name;
    return h('li', {class: 'card invitation'},
      h('a', {href: `/associations/${inv.association.id}`, class: 'title'}, association),
      h('p', {class: 'muted'}, inv.invitedBy ? t('associations.invitedBy', {name: fullName(inv.invitedBy)}) : t('associations.invited')),
      h('div', {class: 'actions'},
        h('button', {type: 'button', 'aria-label': t('associations.acceptLabel', {association}),
          onclick: () => answer(inv, {answer: 'accept'}, t('invitation.welcome', {association}))}, t('invitation.accept')),
        h('button', {type: 'button', class: 'secondary', 'aria-label': t('associations.declineLabel', {association}),
          onclick: () => answer(inv, {answer: 'decline'}, t('invitation.declined', {association}))}, t('invitation.decline'))));
  })));
}

function memberSummary(members) {
  if (!members.length) return t('members.none');
  const names = members.slice(0, 3).map(fullName).join(', ');
  return members.length > 3 ? t('associations.andMore', {names, count: members.length - 3}) : names;
}

export async function newAssociation(page, {session}) {
  const status = loading();
  page.append(heading(t('newAssociation.title')), status);
  const me = await loadPage(page, t('newAssociation.title'), () => get(`/users/${session.id}`));
  if (!me) return;
  // chosen members, with the role each will hold; the creator is always a member.
  const members = [{user: me, role: ''}];
  const memberList = h('ul', {class: 'members-edit', 'aria-label': t('members.title')});
  const showMembers = () => replace(memberList, ...members.map((m, i) => h('li', {},
    h('span', {class: 'name'}, m.user.id === me.id ? t('members.you', {name: fullName(m.user)})
      : [fullName(m.user), ' ', h('span', {class: 'muted'}, tellApart(m.user))]),
    h('label', {class: 'sr-only', for: `role-${m.user.id}`}, t('members.roleOf', {name: fullName(m.user)})),
    h('input', {id: `role-${m.user.id}`, value: m.role, maxlength: 100, placeholder: t('role.placeholder'),
      oninput: (e) => { m.role = e.target.value; }}),
    m.user.id !== me.id && h('button', {type: 'button', class: 'secondary small', 'aria-label': t('members.removeLabel', {name: fullName(m.user)}),
      onclick: () => { members.splice(i, 1); showMembers(); }}, t('members.remove')))));
  showMembers();

  const errors = errorBox();
  const form = h('form', {class: 'card stack'},
    errors.el,
    field(t('field.name'), 'name', {required: true, maxlength: 200, autocomplete: 'off'}),
    h('fieldset', {class: 'stack'},
      h('legend', {}, t('newAssociation.members')),
      h('p', {class: 'hint'}, t('newAssociation.membersHint')),
      memberList,
      personPicker({label: t('newAssociation.addMember'), exclude: (u) => members.some((m) => m.user.id === u.id),
        onPick: (u) => { members.push({user: u, role: ''}); showMembers(); }})),
    h('button', {type: 'submit', 'data-busy': t('newAssociation.busy')}, t('newAssociation.submit')));
  handleSubmit(form, errors, async () => {
    const {name} = formValues(form);
    const created = await post('/associations', {name, idUsers: members.map((m) => m.user.id)});
    // Roles are their own resource: one request per member who has one.
    const results = await Promise.allSettled(members
      .filter((m) => m.role.trim() && !isPlainMember(m.role.trim()))
      .map((m) => post('/roles', {name: m.role.trim(), idUser: m.user.id, idAssociation: created.id})
        .catch((err) => { throw new Error(t('newAssociation.roleFailed', {name: fullName(m.user), problem: describe(err).join(' ')})); })));
    const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
    if (failures.length) flash(t('newAssociation.rolesFailed', {problems: failures.join(' ')}), 'error');
    else flash(t('newAssociation.created', {association: created.name}));
    navigate(`/associations/${created.id}`);
  });
  status.replaceWith(form);
}

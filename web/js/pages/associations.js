// Associations: the list, and creating one with its members and their roles.

import {describe, get, getPage, getUser, post, put} from '../api.js';
import {append, field, formValues, h, replace} from '../dom.js';
import {fullName, matches, tellApart} from '../format.js';
import {flash, navigate} from '../router.js';
import {SHOWN, empty, errorBox, errorMessage, handleSubmit, heading, liveSearch, loadPage, loading, personPicker, showCards} from '../ui.js';

export async function associations(page, {session}) {
  const status = loading();
  const create = h('a', {href: '/associations/new', class: 'button'}, 'New association');
  const invitations = h('section', {class: 'stack', 'aria-label': 'Your invitations'});
  page.append(h('div', {class: 'title-row'}, heading('Associations'), create), invitations, status);
  showInvitations(invitations);
  // The first page, then what the API finds (?q=) as the search changes; "Only mine"
  // shows the caller's own associations (GET /users/{id}), which are few.
  const everyone = await loadPage(page, 'Associations', () => getPage(`/associations?limit=${SHOWN}`));
  if (!everyone) return;
  if (!everyone.total) {
    status.replaceWith(empty('There is no association yet. Start the first one!', create.cloneNode(true)));
    return;
  }
  const search = h('input', {type: 'search', id: 'association-search', placeholder: 'Association name'});
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
    summary: `${found.total} of ${everyone.total} associations.`,
    card: (a) => h('li', {class: 'card'},
      h('a', {href: `/associations/${a.id}`, class: 'title'}, a.name),
      a.members.some((m) => m.id === session.id && m.status === 'member') && h('span', {class: 'badge'}, 'you are a member'),
      h('p', {class: 'muted'}, memberSummary(a.members.filter((m) => m.status === 'member')))),
    none: 'No association matches your search.',
  }));
  mine.addEventListener('change', show);
  status.replaceWith(
    h('div', {class: 'filters'},
      h('div', {class: 'field'}, h('label', {for: 'association-search'}, 'Search associations'), search),
      h('div', {class: 'check'}, mine, h('label', {for: 'association-mine'}, 'Only mine'))),
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
  replace(el, h('h2', {}, 'Your invitations'), status, h('ul', {class: 'cards'}, pending.map((inv) => h('li', {class: 'card invitation'},
    h('a', {href: `/associations/${inv.association.id}`, class: 'title'}, inv.association.name),
    h('p', {class: 'muted'}, inv.invitedBy ? `${fullName(inv.invitedBy)} invites you to join.` : 'You are invited to join.'),
    h('div', {class: 'actions'},
      h('button', {type: 'button', 'aria-label': `Accept: ${inv.association.name}`,
        onclick: () => answer(inv, {answer: 'accept'}, `Welcome to ${inv.association.name}!`)}, 'Accept'),
      h('button', {type: 'button', class: 'secondary', 'aria-label': `Decline: ${inv.association.name}`,
        onclick: () => answer(inv, {answer: 'decline'}, `You declined to join ${inv.association.name}.`)}, 'Decline'))))));
}

function memberSummary(members) {
  if (!members.length) return 'No members yet.';
  const names = members.slice(0, 3).map(fullName).join(', ');
  return members.length > 3 ? `${names} and ${members.length - 3} more` : names;
}

export async function newAssociation(page, {session}) {
  const status = loading();
  page.append(heading('New association'), status);
  const me = await loadPage(page, 'New association', () => get(`/users/${session.id}`));
  if (!me) return;
  // chosen members, with the role each will hold; the creator is always a member.
  const members = [{user: me, role: ''}];
  const memberList = h('ul', {class: 'members-edit', 'aria-label': 'Members'});
  const showMembers = () => replace(memberList, ...members.map((m, i) => h('li', {},
    h('span', {class: 'name'}, fullName(m.user), m.user.id === me.id ? ' (you)' : [' ', h('span', {class: 'muted'}, tellApart(m.user))]),
    h('label', {class: 'sr-only', for: `role-${m.user.id}`}, `Role of ${fullName(m.user)}`),
    h('input', {id: `role-${m.user.id}`, value: m.role, maxlength: 100, placeholder: 'member',
      oninput: (e) => { m.role = e.target.value; }}),
    m.user.id !== me.id && h('button', {type: 'button', class: 'secondary small', 'aria-label': `Remove ${fullName(m.user)}`,
      onclick: () => { members.splice(i, 1); showMembers(); }}, 'Remove'))));
  showMembers();

  const errors = errorBox();
  const form = h('form', {class: 'card stack'},
    errors.el,
    field('Name', 'name', {required: true, maxlength: 200, autocomplete: 'off'}),
    h('fieldset', {class: 'stack'},
      h('legend', {}, 'Members and their roles'),
      h('p', {class: 'hint'}, 'A role is a title such as treasurer; leave it empty for a plain member. ' +
        'The people you add are invited by e-mail, and become members when they accept.'),
      memberList,
      personPicker({label: 'Add a member', exclude: (u) => members.some((m) => m.user.id === u.id),
        onPick: (u) => { members.push({user: u, role: ''}); showMembers(); }})),
    h('button', {type: 'submit', 'data-busy': 'Creating…'}, 'Create the association'));
  handleSubmit(form, errors, async () => {
    const {name} = formValues(form);
    const created = await post('/associations', {name, idUsers: members.map((m) => m.user.id)});
    // Roles are their own resource: one request per member who has one.
    const results = await Promise.allSettled(members
      .filter((m) => m.role.trim() && m.role.trim() !== 'member')
      .map((m) => post('/roles', {name: m.role.trim(), idUser: m.user.id, idAssociation: created.id})
        .catch((err) => { throw new Error(`${fullName(m.user)}: ${describe(err).join(' ')}`); })));
    const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
    if (failures.length) flash(`The association is created, but some roles were not saved: ${failures.join(' ')}`, 'error');
    else flash(`${created.name} is created.`);
    navigate(`/associations/${created.id}`);
  });
  status.replaceWith(form);
}

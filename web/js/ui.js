// Pieces every page uses: headings, errors, busy forms, dialogs, the person picker.

import {ApiError, Problem, describe, get, getFile} from './api.js';
import {append, h, replace} from './dom.js';
import {fullName, tellApart} from './format.js';
import {t} from './i18n.js';

// heading is the page's h1; the router moves the focus to it after each navigation.
export const heading = (text, ...extra) => h('h1', {tabindex: '-1'}, text, ...extra);

export const loading = (what = t('ui.loading')) => h('p', {class: 'loading', role: 'status'}, what);

export const empty = (text, ...action) => h('div', {class: 'empty'}, h('p', {}, text), ...action);

// errorBox shows an error's sentences where the user is looking.
export function errorBox() {
  const el = h('div', {class: 'error', role: 'alert', hidden: true});
  return {
    el,
    show(err) {
      const lines = describe(err);
      replace(el, lines.length === 1 ? h('p', {}, lines[0]) : h('ul', {}, lines.map((l) => h('li', {}, l))));
      el.hidden = false;
    },
    clear() { el.replaceChildren(); el.hidden = true; },
  };
}

// errorMessage is an error box already showing err, for content that failed to load.
export function errorMessage(err) {
  const box = errorBox();
  box.show(err);
  return box.el;
}

// loadPage fetches what a page shows. When that fails, the page shows its title and
// the error instead (notFound, if given, for a 404), and loadPage returns null: the
// caller stops there.
export async function loadPage(page, title, load, {notFound} = {}) {
  try {
    return await load();
  } catch (err) {
    const box = errorBox();
    if (notFound && err instanceof ApiError && err.code === 'not_found') box.show(new Problem(notFound));
    else box.show(err);
    replace(page, heading(title), box.el);
    return null;
  }
}

// handleSubmit runs action when form is submitted: the button shows the work in
// progress and cannot be pressed twice; an error is shown in the form's error box.
export function handleSubmit(form, errors, action) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = form.querySelector('button[type=submit]');
    const label = button.textContent;
    button.disabled = true;
    button.textContent = button.dataset.busy || t('ui.saving');
    form.setAttribute('aria-busy', 'true');
    errors.clear();
    try {
      await action();
    } catch (err) {
      errors.show(err);
      if (!(err instanceof ApiError || err instanceof Problem)) console.error(err);
    } finally {
      button.disabled = false;
      button.textContent = label;
      form.removeAttribute('aria-busy');
    }
  });
}

// openDialog shows a modal form. build(form) adds the fields; submit() does the
// work and the dialog closes when it succeeds. It resolves true once submitted,
// false when dismissed.
let dialogCount = 0;

export function openDialog({title, submitLabel, danger = false, build, submit}) {
  return new Promise((resolve) => {
    const errors = errorBox();
    const titleId = `dialog-${++dialogCount}`;
    const form = h('form', {method: 'dialog', class: 'stack'});
    const cancel = h('button', {type: 'button', class: 'secondary'}, t('ui.cancel'));
    const dialog = h('dialog', {'aria-labelledby': titleId},
      append(form, [h('h2', {id: titleId}, title), errors.el]));
    build?.(form);
    append(form, [h('div', {class: 'actions'},
      h('button', {type: 'submit', class: danger ? 'danger' : null}, submitLabel), cancel)]);
    let done = false;
    handleSubmit(form, errors, async () => {
      await submit(form);
      done = true;
      dialog.close();
    });
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => { dialog.remove(); resolve(done); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

// confirmAction asks before doing something that cannot be undone.
export const confirmAction = ({title, text, confirm, action}) =>
  openDialog({title, submitLabel: confirm, danger: true, build: (f) => append(f, [h('p', {}, text)]), submit: action});

// downloadButton saves the export at path (an API path) when pressed, under the name
// the API gives it; status says what was saved, or why nothing was.
export function downloadButton(label, path, status, props = {}) {
  const button = h('button', {type: 'button', class: 'secondary', ...props}, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    try {
      const {blob, name} = await getFile(path);
      const link = h('a', {href: URL.createObjectURL(blob), download: name});
      link.click();
      // Some browsers read the blob after the click has returned: it is freed later.
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      status.textContent = t('export.downloaded', {name});
    } catch (err) {
      replace(status, errorMessage(err));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// SHOWN is how many cards a list shows at most; a search narrows the rest down.
export const SHOWN = 200;

// liveSearch runs find(query) as the search field changes (after a short pause in
// the typing) and show(found, query) with its answer. The answer to an older query
// is dropped; a failure is shown in results. It returns the run, for a first one.
export function liveSearch(search, results, find, show) {
  let latest = 0;
  let typing;
  const run = async () => {
    const query = search.value.trim();
    const asked = ++latest;
    let found;
    try {
      found = await find(query);
    } catch (err) {
      if (asked === latest) replace(results, h('li', {}, errorMessage(err)));
      return;
    }
    if (asked === latest) show(found, query);
  };
  search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(run, 200); });
  return run;
}

// showCards fills a list with the cards of found, SHOWN at most, or says none
// matched; summary, shown in count, says how many matched and whether any were left out.
export function showCards(results, count, found, {summary, card, none, total = found.length}) {
  const shown = found.slice(0, SHOWN);
  count.textContent = summary + (total > shown.length ? ` ${t('ui.firstShown', {count: shown.length})}` : '');
  if (shown.length) replace(results, ...shown.map(card));
  else replace(results, h('li', {}, empty(none)));
}

// personPicker finds people by name or e-mail through the API (?q=, the directory is
// never downloaded) and calls onPick with the one chosen.
export function personPicker({label, exclude = () => false, onPick}) {
  const id = `pick-${Math.random().toString(36).slice(2)}`;
  const input = h('input', {type: 'search', id, autocomplete: 'off', placeholder: t('ui.picker.placeholder'),
    'aria-controls': `${id}-results`});
  const results = h('ul', {class: 'picker-results', id: `${id}-results`, 'aria-live': 'polite'});
  const PICKS = 8;
  liveSearch(input, results,
    // A few more than shown, for those exclude leaves out (the members already chosen).
    (query) => (query ? get(`/users?limit=${PICKS * 3}&q=${encodeURIComponent(query)}`) : []),
    (users, query) => {
      if (!query) { results.replaceChildren(); return; }
      const found = users.filter((u) => !exclude(u)).slice(0, PICKS);
      replace(results, ...(found.length ? found.map((u) => h('li', {},
        h('span', {}, fullName(u), ' ', h('span', {class: 'muted'}, tellApart(u))),
        h('button', {type: 'button', class: 'secondary small', 'aria-label': t('ui.picker.addLabel', {name: fullName(u), who: tellApart(u)}),
          onclick: () => { input.value = ''; results.replaceChildren(); onPick(u); input.focus(); }}, t('ui.picker.add'))))
        : [h('li', {class: 'muted'}, t('ui.picker.none', {query}))]));
    });
  return h('div', {class: 'picker field'}, h('label', {for: id}, label), input, results);
}

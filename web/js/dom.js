// Building the DOM from data. Text always goes in as text nodes, never as HTML,
// so nothing a user typed can become markup.

// h creates an element: h('a', {href: '/users', class: 'button'}, 'Users').
// Props starting with "on" are event listeners; false and null props are left out.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

// append adds children: nodes, strings, numbers, or (nested) arrays of them.
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// formValues reads a form's named fields as trimmed strings (passwords untrimmed).
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) {
    const input = form.elements.namedItem(name);
    values[name] = input?.type === 'password' ? value : String(value).trim();
  }
  return values;
}

let fieldCount = 0;

// field is a labelled input (or textarea); props go to the input: type, required, value, ...
export function field(label, name, props = {}, hint) {
  const id = `f${++fieldCount}-${name}`;
  const hintId = hint ? `${id}-hint` : null;
  const {type = 'text', value, ...rest} = props;
  const attrs = {...rest, id, name, 'aria-describedby': hintId};
  const input = type === 'textarea' ? h('textarea', attrs, value ?? '') : h('input', {...attrs, type, value});
  return h('div', {class: 'field'},
    h('label', {for: id}, label),
    hint && h('p', {class: 'hint', id: hintId}, hint),
    input);
}

// replace sets el's children, skipping false and null as h does.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

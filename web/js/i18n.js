// The app's languages and time zone. Every text a person reads comes from a message
// catalogue, /locales/<language>.json: a key names a sentence, or its plural forms
// keyed by the categories of Intl.PluralRules ({"one": ..., "other": ...}).
// "{name}" in a message is replaced by the parameter of that name; numbers are
// written the language's way. TestWebCatalogues keeps the catalogues complete.
//
// The language: the one chosen with the header's switch (kept in localStorage), else
// the browser's first preference that the app speaks (navigator.languages), else English.
// The time zone: the signed-in user's (their profile's timeZone), else the browser's,
// else Europe/Paris in French; dates are shown and entered in it.

const LANGUAGE_KEY = 'kittenasso.language';

// languages the app speaks, each named in its own language.
export const languages = {en: 'English', fr: 'Français'};

let current = 'en';
let messages = {};
let plurals = new Intl.PluralRules('en');
let numbers = new Intl.NumberFormat('en');
let userZone = '';
const catalogues = {};

// browserLanguage is the first of the browser's languages that the app speaks.
export function browserLanguage() {
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language || ''];
  for (const tag of wanted) {
    const lang = String(tag).toLowerCase().split('-')[0];
    if (lang in languages) return lang;
  }
  return 'en';
}

// chosenLanguage is the language picked with the switch on this browser, if any.
export function chosenLanguage() {
  const lang = localStorage.getItem(LANGUAGE_KEY);
  return lang in languages ? lang : '';
}

export const language = () => current;

// setLanguage loads a language's catalogue and speaks it from then on; with remember,
// the choice is kept for the next visits. The page's lang attribute follows.
export async function setLanguage(lang, {remember = false} = {}) {
  if (!(lang in languages)) lang = 'en';
  catalogues[lang] ??= fetch(`/locales/${lang}.json`).then((r) => {
    if (!r.ok) throw new Error(`/locales/${lang}.json: ${r.status}`);
    return r.json();
  });
  try {
    messages = await catalogues[lang];
  } catch (err) {
    delete catalogues[lang]; // try again next time
    throw err;
  }
  current = lang;
  plurals = new Intl.PluralRules(lang);
  numbers = new Intl.NumberFormat(lang);
  document.documentElement.lang = lang;
  if (remember) localStorage.setItem(LANGUAGE_KEY, lang);
}

// has tells whether the catalogue has a message for key.
export const has = (key) => Object.hasOwn(messages, key);

// t is the message key in the current language, with its parameters filled in; a
// message with plural forms takes the one for params.count.
export function t(key, params = {}) {
  return parts(key, params).join('');
}

// tParts is t for messages with elements in them (a link, a name in bold): the
// message as a list of strings and the nodes given as parameters, for h().
export function tParts(key, params = {}) {
  return parts(key, params);
}

function parts(key, params) {
  let message = messages[key];
  if (message === undefined) {
    console.error(`i18n: no message ${key} in ${current}`);
    return [key];
  }
  if (typeof message === 'object') message = message[plurals.select(params.count)] ?? message.other;
  return message.split(/\{(\w+)\}/).map((piece, i) => {
    if (i % 2 === 0) return piece;
    const value = params[piece];
    return typeof value === 'number' ? numbers.format(value) : value ?? `{${piece}}`;
  }).filter((piece) => piece !== '');
}

// Time zones

// browserZone is the browser's time zone, or '' when it tells none.
export function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    return '';
  }
}

// validZone tells whether zone is an IANA time zone this browser knows.
export function validZone(zone) {
  if (!zone || typeof zone !== 'string') return false;
  try {
    new Intl.DateTimeFormat('en', {timeZone: zone});
    return true;
  } catch {
    return false;
  }
}

// defaultZone is the zone of someone who chose none: the browser's, else Paris in French.
export const defaultZone = () => browserZone() || (current === 'fr' ? 'Europe/Paris' : '');

// setTimeZone sets the signed-in user's zone ('' or an unknown zone: the default).
export function setTimeZone(zone) { userZone = validZone(zone) ? zone : ''; }

// timeZone is the zone dates are shown and entered in.
export const timeZone = () => userZone || defaultZone() || 'UTC';

// timeZones lists the zones to choose from, the given one included.
export function timeZones(including) {
  let zones = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch { /* an older browser: the current zone only */ }
  return [...new Set([...zones, including, 'UTC'].filter(Boolean))].sort();
}

// The API client and the signed-in session. The API is at /api on the page's own
// origin, locally (the gateway) and in AWS (CloudFront sends /api/* to API Gateway).

import {has, t} from './i18n.js';

const SESSION_KEY = 'kittenasso.session';

// ApiError is a refused or failed request, with what the API said about it.
export class ApiError extends Error {
  constructor(status, messages, {code = '', retryAfter = 0, requestId = ''} = {}) {
    super(messages.join(' '));
    this.status = status;         // 0 when the server could not be reached
    this.code = code;             // the API's stable name of the error (docs/api.md), e.g. not_verified
    this.messages = messages;     // the API's message(s): one, or a validation list
    this.retryAfter = retryAfter; // seconds, on 429
    this.requestId = requestId;
  }
}

// Problem is a mistake the page finds before asking the API (two passwords that
// differ, say); its message is already in the user's language.
export class Problem extends Error {}

// session returns {token, id, user, expiresAt} or null once it has expired.
export function session() {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY));
    if (s && s.token && s.expiresAt > Date.now()) return s;
  } catch { /* a damaged entry is no session */ }
  localStorage.removeItem(SESSION_KEY);
  return null;
}

export function saveSession(s) { localStorage.setItem(SESSION_KEY, JSON.stringify(s)); }

// signIn signs in with an e-mail and a password and keeps the new session, with
// what the previous one knew of the user (isAdmin, timeZone, locale). It returns the session.
export async function signIn(email, password) {
  const previous = session();
  const login = await post('/auth/login', {username: email, password});
  let s = {token: login.access_token, id: login.id, expiresAt: Date.now() + login.expires_in * 1000};
  if (previous && previous.id === login.id) {
    s = {...s, isAdmin: previous.isAdmin, timeZone: previous.timeZone, locale: previous.locale};
  }
  saveSession(s);
  return s;
}
export function endSession() { localStorage.removeItem(SESSION_KEY); }

// onSessionLost is called when the API refuses the session's token (expired, or
// the account is gone); the app sends the user to the sign-in page.
let sessionLost = () => {};
export function onSessionLost(fn) { sessionLost = fn; }

// send sends one API call and returns the response when it is a 2xx. Anything else
// throws an ApiError.
async function send(method, path, body, accept = 'application/json') {
  const s = session();
  const headers = {Accept: accept};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (s) headers.Authorization = `Bearer ${s.token}`;
  let res;
  try {
    res = await fetch(`/api${path}`, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  } catch {
    throw new ApiError(0, ['the server could not be reached']);
  }
  if (res.ok) return res;
  const data = await res.json().catch(() => null);
  const message = data?.message;
  const err = new ApiError(res.status, Array.isArray(message) ? message : [message || res.statusText],
    {code: data?.code || '', retryAfter: Number(res.headers.get('Retry-After')) || 0,
      requestId: res.headers.get('X-Request-Id') || ''});
  // Outside sign-in, a 401 means the session is over: expired, or its account is gone.
  if (res.status === 401 && path !== '/auth/login') {
    endSession();
    sessionLost();
  }
  throw err;
}

// nextPage is the path of the next page when the response's Link says there is one.
const nextPage = (res) => /^<\/api(\/[^>]+)>; rel="next"$/.exec(res.headers.get('Link') || '')?.[1] || null;

// request sends one API call and returns {data, total, next}: the JSON body, for
// lists the X-Total-Count header, and the path of the next page when a Link says
// there is one.
async function request(method, path, body) {
  const res = await send(method, path, body);
  const data = await res.json().catch(() => null);
  const total = res.headers.get('X-Total-Count');
  return {data, total: total === null ? null : Number(total), next: nextPage(res)};
}

export const get = (path) => request('GET', path).then((r) => r.data);

// getPage reads one page of a list: {data, total}, total being X-Total-Count.
export const getPage = (path) => request('GET', path);

// getUser reads a user with all their associations: the API answers as many as fit
// in its byte budget, with a Link to the same user with the next ones.
export async function getUser(id) {
  let page = await request('GET', `/users/${id}`);
  const user = page.data;
  while (page.next) {
    page = await request('GET', page.next);
    user.associations.push(...page.data.associations);
  }
  return user;
}

// getFile reads an export whole: {blob, name}, name being the file name the API
// gives (Content-Disposition). A file too large for one answer links to the rest;
// each page is a whole file, so the later ones lose their first line (their header
// row, or their title) when they are joined. The bytes are kept as they came: a CSV
// file's byte order mark is what makes spreadsheets read its accents.
export async function getFile(path) {
  const parts = [];
  let name = 'export', type = '';
  for (let next = path; next;) {
    const res = await send('GET', next, undefined, '*/*');
    let bytes = new Uint8Array(await res.arrayBuffer());
    if (parts.length) {
      bytes = bytes.subarray(bytes.indexOf(10) + 1); // 10: the line feed that ends the first line
    } else {
      name = fileName(res.headers.get('Content-Disposition') || '') || name;
      type = res.headers.get('Content-Type') || '';
    }
    parts.push(bytes);
    next = nextPage(res);
  }
  return {blob: new Blob(parts, {type}), name};
}

// fileName reads the name of a Content-Disposition: filename* (UTF-8) when given.
function fileName(disposition) {
  const utf8 = /filename\*=UTF-8''([^;\s]+)/i.exec(disposition);
  if (utf8) {
    try { return decodeURIComponent(utf8[1]); } catch { /* a malformed name: the plain one */ }
  }
  return /filename="([^"]+)"/i.exec(disposition)?.[1] || '';
}

export const post = (path, body) => request('POST', path, body).then((r) => r.data);
export const put = (path, body) => request('PUT', path, body).then((r) => r.data);
export const patch = (path, body) => request('PATCH', path, body).then((r) => r.data);
export const del = (path) => request('DELETE', path).then((r) => r.data);

// describe turns an error into the sentences to show, in the user's language: the
// API's stable error codes (docs/api.md) have their own wording, validation problems
// are read field by field, and the API's English sentences are never shown as such.
export function describe(err) {
  if (err instanceof Problem) return [err.message];
  if (!(err instanceof ApiError)) return [t('error.page')];
  if (err.status === 0) return [t('error.network')];
  if (err.status === 429) {
    const wait = t('error.retryIn', {count: Math.max(1, Math.ceil(err.retryAfter / 60))});
    return [`${codeWording(err.code) || t('error.code.throttled')} ${wait}`];
  }
  if (err.status >= 500) {
    const said = err.code === 'unavailable' ? t('error.code.unavailable') : t('error.code.internal');
    return [err.requestId ? `${said} ${t('error.reference', {reference: err.requestId})}` : said];
  }
  if (err.status === 401 && err.code !== 'invalid_credentials') return [t('error.code.unauthorized')];
  if (err.code === 'invalid' || (!err.code && err.status === 400)) return err.messages.map(validation);
  return [codeWording(err.code) || t('error.unknown')];
}

// codeWording is the wording of an API error code, or '' for a code the app does not know.
function codeWording(code) {
  return code && has(`error.code.${code}`) ? t('error.code.' + code) : '';
}

// The API's validation messages follow the original's wording, "<field> <rule>":
// each known rule has its sentence, with the field's label; anything else gets a
// general one.
const rules = [
  [/^(\w+) should not be empty$/, (m) => t('validation.required', {field: fieldLabel(m[1])})],
  [/^(\w+) must be shorter than or equal to (\d+) (characters|bytes)$/,
    (m) => t('validation.tooLong', {field: fieldLabel(m[1]), count: Number(m[2])})],
  [/^(\w+) must be longer than or equal to (\d+) characters$/,
    (m) => t('validation.tooShort', {field: fieldLabel(m[1]), count: Number(m[2])})],
  [/^(\w+) must be an email$/, (m) => t('validation.email', {field: fieldLabel(m[1])})],
  [/^(\w+) must not be less than (-?\d+)$/, (m) => t('validation.min', {field: fieldLabel(m[1]), min: Number(m[2])})],
  [/^(\w+) must not be greater than (-?\d+)$/, (m) => t('validation.max', {field: fieldLabel(m[1]), max: Number(m[2])})],
  [/^(\w+) must be a valid ISO 8601 date string$/, (m) => t('validation.date', {field: fieldLabel(m[1])})],
  [/^(\w+) must (?:not contain control characters|be valid UTF-8 text)/, (m) => t('validation.text', {field: fieldLabel(m[1])})],
  [/^(\w+) must be an IANA time zone/, (m) => t('validation.timeZone', {field: fieldLabel(m[1])})],
  [/^(\w+) must be one of the following values: (.+)$/, (m) => t('validation.oneOf', {field: fieldLabel(m[1]), values: m[2]})],
  [/^end must not be before start$/, () => t('validation.endBeforeStart')],
  [/^an association has at most (\d+) members/, (m) => t('validation.maxMembers', {count: Number(m[1])})],
  [/^a minute has at most (\d+) voters$/, (m) => t('validation.maxVoters', {count: Number(m[1])})],
  [/^user \d+ is not a member of association \d+$/, () => t('validation.notAMember')],
];

function validation(message) {
  for (const [pattern, say] of rules) {
    const m = pattern.exec(String(message));
    if (m) return say(m);
  }
  return t('error.code.invalid');
}

// fieldLabel names a field of the API's requests as its form does.
function fieldLabel(name) {
  const labels = {
    name: () => t('field.name'), firstname: () => t('field.firstname'), lastname: () => t('field.lastname'),
    age: () => t('field.age'), email: () => t('field.email'), password: () => t('field.password'),
    currentPassword: () => t('field.currentPassword'), date: () => t('field.date'), content: () => t('field.content'),
    start: () => t('field.start'), end: () => t('field.end'), timeZone: () => t('field.timeZone'),
    locale: () => t('field.language'),
  };
  return Object.hasOwn(labels, name) ? labels[name]() : name;
}

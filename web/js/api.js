// The API client and the signed-in session. The API is at /api on the page's own
// origin, locally (the gateway) and in AWS (CloudFront sends /api/* to API Gateway).

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
// what the previous one knew of the user (isAdmin). It returns the session.
export async function signIn(email, password) {
  const previous = session();
  const login = await post('/auth/login', {username: email, password});
  const s = {token: login.access_token, id: login.id, expiresAt: Date.now() + login.expires_in * 1000};
  if (previous && previous.id === login.id) s.isAdmin = previous.isAdmin;
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
    throw new ApiError(0, ['We could not reach the server. Check your connection and try again.']);
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

// Friendlier words for the errors the API names by code; anything else shows the
// API's own message.
const wording = {
  invalid_credentials: 'Wrong e-mail address or password.',
  not_verified: 'Your e-mail address is not verified yet. Open the link we sent you, or ask for a new one below.',
  email_taken: 'An account already uses this e-mail address. Sign in instead?',
  invalid_token: 'This link is invalid or has expired.',
  already_verified: 'Your address is already verified. You can sign in.',
  cannot_delete_self: 'The administrator account cannot delete itself.',
  wrong_password: 'Your current password is not right.',
  too_large: 'That is too large to send.',
  not_manager: 'Only the managers of this association can change it.',
  last_manager: 'An association needs a manager: make another member a manager first.',
  no_invitation: 'You have no invitation to this association (any more).',
};

// describe turns an error into the sentences to show.
export function describe(err) {
  if (!(err instanceof ApiError)) return ['Something went wrong in this page. Please reload it.'];
  if (err.status === 429) {
    const minutes = Math.max(1, Math.ceil(err.retryAfter / 60));
    const wait = `Please try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`;
    // The mail budgets say what was refused; every other limit is a count of attempts.
    return [err.code === 'mail_budget' ? `${sentence(err.messages[0].replace(/; try again later$/, ''))} ${wait}`
      : `Too many attempts. ${wait}`];
  }
  if (err.status >= 500) {
    return ['Something went wrong on our side. Please try again in a moment.' +
      (err.requestId ? ` (Reference: ${err.requestId})` : '')];
  }
  if (wording[err.code]) return [wording[err.code]];
  if (err.status === 401) return ['Your session has ended. Please sign in again.'];
  return err.messages.map(sentence);
}

function sentence(m) {
  const s = String(m);
  return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.');
}

// Dates and names as people read them. The API speaks UTC (RFC 3339); events are
// shown and entered in the user's time zone (i18n.js), in the language's way through
// Intl; minutes' dates are calendar days.

import {language, t, timeZone} from './i18n.js';

// formatter is an Intl.DateTimeFormat for the current language (or lang), kept for reuse.
const formatters = new Map();
function formatter(options, lang = language()) {
  const key = JSON.stringify([lang, options]);
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(lang, options));
  return formatters.get(key);
}

const dateTime = (zone) => formatter({dateStyle: 'medium', timeStyle: 'short', timeZone: zone});

export const fullName = (u) => `${u.firstname} ${u.lastname}`;

// A member without a role holds the API's role "member", shown in the user's language.
export const roleName = (role) => (!role || role === 'member' ? t('role.member') : role);

// isPlainMember tells whether a role typed in a form means no role: empty, or "member"
// in English or in the user's language.
export const isPlainMember = (role) => !role || ['member', t('role.member').toLowerCase()].includes(role.toLowerCase());

// tellApart is what tells two people of the same name apart: their e-mail address
// where the API shows it (to those who share an association with them), else their
// user number and age.
export const tellApart = (u) => u.email || t('people.tellApart', {id: String(u.id), count: u.age});

// formatDateTime shows a time in the user's zone: "6 déc. 2026, 15:51", "Dec 6, 2026, 3:51 PM".
export const formatDateTime = (iso, zone = timeZone()) => dateTime(zone).format(new Date(iso));

// formatRange shows from start to end, the day once when they share it: "6 déc. 2026, 14:00 – 17:30".
export const formatRange = (start, end, zone = timeZone()) => dateTime(zone).formatRange(new Date(start), new Date(end));

// formatDay shows a minute's date: a calendar day, stored as midnight UTC.
export const formatDay = (iso) => formatter({dateStyle: 'full', timeZone: 'UTC'}).format(new Date(iso));

// eventStatus is 'upcoming', 'ongoing' or 'ended' at the time now.
export function eventStatus(event, now = new Date()) {
  if (new Date(event.start) > now) return 'upcoming';
  if (new Date(event.end) < now) return 'ended';
  return 'ongoing';
}

// duration says how long an event lasts: "45 min", "2 h 30 min", "3 days".
export function duration(event) {
  const minutes = Math.round((new Date(event.end) - new Date(event.start)) / 60000);
  if (minutes < 60) return t('duration.minutes', {minutes});
  if (minutes < 24 * 60) {
    const hours = Math.floor(minutes / 60), rest = minutes % 60;
    return rest ? t('duration.hoursMinutes', {hours, minutes: rest}) : t('duration.hours', {hours});
  }
  return t('duration.days', {count: Math.round(minutes / (24 * 60))});
}

// wallClock reads an instant as the date and time a clock in zone shows, as the
// milliseconds of that same wall time in UTC (Intl knows the zone's rules).
const wallFormat = (zone) => formatter({timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit',
  day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'}, 'en'); // numbers in digits we read
function wallClock(ms, zone) {
  const p = Object.fromEntries(wallFormat(zone).formatToParts(new Date(ms)).map(({type, value}) => [type, Number(value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}
const offsetAt = (ms, zone) => wallClock(ms, zone) - Math.floor(ms / 1000) * 1000;

// toLocalInput gives the value of a datetime-local input for an RFC 3339 time, in zone.
export function toLocalInput(iso, zone = timeZone()) {
  return new Date(wallClock(new Date(iso).getTime(), zone)).toISOString().slice(0, 16);
}

// fromLocalInput reads a datetime-local value as a time in zone, and gives it as
// RFC 3339 UTC. A time that happens twice (when clocks go back) is the first; one
// that never happens (when they go forward) is read with the offset before the change,
// as browsers and Temporal's "compatible" choice do.
export function fromLocalInput(value, zone = timeZone()) {
  const wall = Date.parse(`${value}Z`);
  const before = offsetAt(wall - 86400000, zone), after = offsetAt(wall + 86400000, zone);
  const valid = [...new Set([before, after])].map((o) => wall - o).filter((ms) => offsetAt(ms, zone) === wall - ms);
  return new Date(valid.length ? Math.min(...valid) : wall - before).toISOString();
}

// today is the calendar day in the user's zone, for a date input.
export const today = (zone = timeZone()) => toLocalInput(new Date().toISOString(), zone).slice(0, 10);

// matches tells whether text contains every word of a search query, ignoring case and accents.
export function matches(text, query) {
  const fold = (s) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  const haystack = fold(text);
  return fold(query).split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

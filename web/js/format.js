// Dates and names as people read them. The API speaks UTC (RFC 3339); events are
// shown and entered in the browser's time zone, minutes' dates are calendar days.

const dateTime = new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'});
const longDay = new Intl.DateTimeFormat(undefined, {dateStyle: 'full', timeZone: 'UTC'});

export const fullName = (u) => `${u.firstname} ${u.lastname}`;

// tellApart is what tells two people of the same name apart: their e-mail address
// where the API shows it (to those who share an association with them), else their
// user number and age.
export const tellApart = (u) => u.email || `user #${u.id}, age ${u.age}`;

export const formatDateTime = (iso) => dateTime.format(new Date(iso));

// formatDay shows a minute's date: a calendar day, stored as midnight UTC.
export const formatDay = (iso) => longDay.format(new Date(iso));

// eventStatus is 'upcoming', 'ongoing' or 'ended' at the time now.
export function eventStatus(event, now = new Date()) {
  if (new Date(event.start) > now) return 'upcoming';
  if (new Date(event.end) < now) return 'ended';
  return 'ongoing';
}

// duration says how long an event lasts: "45 min", "2 h 30 min", "3 days".
export function duration(event) {
  const minutes = Math.round((new Date(event.end) - new Date(event.start)) / 60000);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60), m = minutes % 60;
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const days = Math.round(minutes / (24 * 60));
  return `${days} day${days > 1 ? 's' : ''}`;
}

// toLocalInput gives the value of a datetime-local input for an RFC 3339 time.
export function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// fromLocalInput reads a datetime-local value in the browser's zone, as RFC 3339 UTC.
export const fromLocalInput = (value) => new Date(value).toISOString();

// today is the browser's calendar day, for a date input.
export function today() {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

// matches tells whether text contains every word of a search query, ignoring case and accents.
export function matches(text, query) {
  const fold = (s) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
  const haystack = fold(text);
  return fold(query).split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

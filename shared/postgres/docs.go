package postgres

import "strconv"

// The API's JSON shapes (docs/api.md §3) are built by PostgreSQL, and this file holds
// every piece of SQL that builds them: the objects (userJSON, roleJSON, memberJSON...)
// and the documents of lists and reads. Each query names the rows it wants in a CTE
// page(id, ord); a fragment below turns them into a CTE docs(id, ord, doc), in the
// same statement: a list is one query and one round trip whatever its length. The
// nested lists (members, users, voters) are gathered for the page's own rows only (a
// LATERAL join: index lookups), never by reading the whole membership table, so that
// a page costs the same whatever the size of the data. Every piece of SQL here is
// built from constants: nothing from a request is ever spliced in.

// apiTime is the timestamptz expression t as the API writes times: RFC 3339, in UTC.
func apiTime(t string) string {
	return `to_char((` + t + `) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
}

// seesEmail is true when the viewer (expressions viewer, its id, and viewerIsAdmin)
// may see the e-mail of user target: the admin, the user, and people who share an
// association with them as members. An invitation shows nobody's address: neither
// the inviters' to the person invited nor the other way round, until it is accepted. Its aliases (seen, seer) are its own, so that the
// expressions it is given keep naming the caller's tables.
func seesEmail(viewer, viewerIsAdmin, target string) string {
	return `((` + viewerIsAdmin + `) OR (` + viewer + `) = (` + target + `) OR EXISTS (
		SELECT 1 FROM memberships seen JOIN memberships seer ON seer.association_id = seen.association_id
		WHERE seen.user_id = (` + target + `) AND seer.user_id = (` + viewer + `)
		  AND seen.status = 'member' AND seer.status = 'member'))`
}

// userJSON is the User {id, email, firstname, lastname, age, isAdmin} of users row u
// as the viewer sees it: without the e-mail unless seesEmail.
func userJSON(viewer, viewerIsAdmin string) string { return userWithJSON(viewer, viewerIsAdmin, "") }

// userWithJSON is userJSON followed by more fields: extra is empty, or
// `, 'key', expression...`.
func userWithJSON(viewer, viewerIsAdmin, extra string) string {
	return `CASE WHEN ` + seesEmail(viewer, viewerIsAdmin, "u.id") + `
		THEN json_build_object('id', u.id, 'email', u.email, 'firstname', u.firstname,
		                       'lastname', u.lastname, 'age', u.age, 'isAdmin', u.is_admin` + extra + `)
		ELSE json_build_object('id', u.id, 'firstname', u.firstname,
		                       'lastname', u.lastname, 'age', u.age, 'isAdmin', u.is_admin` + extra + `) END`
}

// roleJSON is the Role {name, userId, associationId} of roles row r.
const roleJSON = `json_build_object('name', r.name, 'userId', r.user_id, 'associationId', r.association_id)`

// roleRelationsJSON is a Role with relations, over roles r, users u and associations
// a, for the viewer ($1 id, $2 isAdmin), who sees the user's e-mail if allowed.
var roleRelationsJSON = `json_build_object('name', r.name, 'userId', r.user_id, 'associationId', r.association_id,
	'user', ` + userJSON("$1", "$2") + `, 'association', json_build_object('id', a.id, 'name', a.name))`

// eventMailPayload is asso.EventEmail for one recipient (users u, memberships m),
// the event e of association a as it now stands.
var eventMailPayload = `json_strip_nulls(json_build_object(
	'eventId', e.id, 'sequence', e.sequence, 'name', e.name,
	'start', ` + apiTime("e.starts_at") + `, 'end', ` + apiTime("e.ends_at") + `,
	'place', COALESCE(e.place, ''), 'description', COALESCE(e.description, ''),
	'associationId', a.id, 'associationName', a.name,
	'firstname', u.firstname, 'lastname', u.lastname, 'unsubscribe', m.unsubscribe_token,
	'rsvp', rsvp_token(e.id, u.id, e.ends_at),
	'going', EXISTS (SELECT 1 FROM event_answers ea WHERE ea.event_id = e.id AND ea.user_id = u.id AND ea.going),
	-- A preference not chosen is left out, as asso.Reader writes it.
	'locale', u.locale, 'timeZone', u.time_zone))`

// memberJSON is the AssociationMember {id, firstname, lastname, age, role, status,
// manager} of user u, whose membership (or invitation) is m and whose role row in the
// association, if any, is r.
const memberJSON = `json_build_object('id', u.id, 'firstname', u.firstname, 'lastname', u.lastname,
	'age', u.age, 'role', COALESCE(r.name, 'member'), 'status', m.status, 'manager', m.manager)`

// listedMembership keeps the memberships m an association lists: its members and the people
// invited, but not those invited by their address until they accept (the inviter would
// learn whose address it is).
const listedMembership = `NOT (m.status = 'invited' AND m.by_email)`

// associationDocs: Association {id, name, members: AssociationMember[]}.
const associationDocs = `
page_members AS (
	SELECT p.id AS association_id, pm.members
	FROM page p
	CROSS JOIN LATERAL (
		SELECT json_agg(` + memberJSON + ` ORDER BY u.id) AS members
		FROM memberships m
		JOIN users u ON u.id = m.user_id
		LEFT JOIN roles r ON r.association_id = m.association_id AND r.user_id = m.user_id
		WHERE m.association_id = p.id AND ` + listedMembership + `) pm),
docs AS (
	SELECT p.id, p.ord, json_build_object('id', a.id, 'name', a.name, 'members', COALESCE(pm.members, '[]')) AS doc
	FROM page p
	JOIN associations a ON a.id = p.id
	LEFT JOIN page_members pm ON pm.association_id = a.id)`

// The documents that show users show their e-mail only to those allowed to see it
// (docs/api.md §3): themselves, the admin, and people who share an association with
// them. These queries take the viewer, the signed-in caller, as $1 (id) and $2
// (isAdmin): every such query is scoped by its caller.
const viewer = `viewer AS (SELECT $1::bigint AS id, $2::boolean AS is_admin)`

// nestedAssociations is the {id, name, users} object of each association in
// page_association_ids(id): the association of minutes and events, with its members
// (not the people invited). A viewer who is a member of the association sees every
// member's e-mail without a check per member. MATERIALIZED: each is built once, not
// again for every row that nests it, whatever join the planner picks.
var nestedAssociations = `
page_associations AS MATERIALIZED (
	SELECT a.id, json_build_object('id', a.id, 'name', a.name, 'users', COALESCE(members.users, '[]')) AS doc
	FROM associations a
	CROSS JOIN viewer v
	LEFT JOIN memberships mine ON mine.association_id = a.id AND mine.user_id = v.id AND mine.status = 'member'
	CROSS JOIN LATERAL (
		SELECT json_agg(` + userJSON("v.id", "v.is_admin OR mine.user_id IS NOT NULL") + ` ORDER BY u.id) AS users
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.association_id = a.id AND m.status = 'member') members
	WHERE a.id IN (SELECT id FROM page_association_ids))`

// minuteDocs: Minute {id, content, date, association: {id, name, users}, voters}. The
// voters are gathered in docs itself (LATERAL: once per minute): in a CTE of their
// own, joined to docs, a nested loop could gather every minute's for each minute.
var minuteDocs = viewer + `,
page_association_ids AS (SELECT association_id AS id FROM minutes WHERE id IN (SELECT id FROM page)),` +
	nestedAssociations + `,
docs AS (
	SELECT p.id, p.ord, json_build_object('id', mi.id, 'content', mi.content, 'date', ` + apiTime("mi.date") + `,
	       'association', pa.doc, 'voters', COALESCE(pv.voters, '[]')) AS doc
	FROM page p
	JOIN minutes mi ON mi.id = p.id
	JOIN page_associations pa ON pa.id = mi.association_id
	CROSS JOIN viewer v
	CROSS JOIN LATERAL (
		SELECT json_agg(` + userJSON("v.id", "v.is_admin") + ` ORDER BY u.id) AS voters
		FROM minute_voters vt JOIN users u ON u.id = vt.user_id
		WHERE vt.minute_id = p.id) pv)`

// attendanceState is the SQL state ("going", "waiting", "not_going", "no_answer") of
// the answer ea, a row of event_answers (all NULL: no answer).
func attendanceState(ea string) string {
	return `CASE WHEN ` + ea + `.going IS NULL THEN 'no_answer' WHEN NOT ` + ea + `.going THEN 'not_going'
		WHEN ` + ea + `.waiting_order IS NULL THEN 'going' ELSE 'waiting' END`
}

// attendanceStateJSON is the AttendanceState {state, position} of the answer ea; a
// position only on the waiting list.
func attendanceStateJSON(ea string) string {
	return `json_strip_nulls(json_build_object('state', ` + attendanceState(ea) + `,
		'position', CASE WHEN ` + ea + `.waiting_order IS NOT NULL THEN (SELECT count(*) FROM event_answers ahead
		            WHERE ahead.event_id = ` + ea + `.event_id AND ahead.waiting_order <= ` + ea + `.waiting_order) END))`
}

// eventDocs: Event {id, name, start, end, place, description, capacity, association:
// {id, name, users}, attendance, myAttendance}; myAttendance only for a member.
var eventDocs = viewer + `,
page_association_ids AS (SELECT association_id AS id FROM events WHERE id IN (SELECT id FROM page)),` +
	nestedAssociations + `,
docs AS (
	SELECT p.id, p.ord, json_build_object('id', e.id, 'name', e.name, 'start', ` + apiTime("e.starts_at") + `,
	       'end', ` + apiTime("e.ends_at") + `, 'place', e.place, 'description', e.description,
	       'capacity', e.capacity, 'association', pa.doc,
	       'attendance', json_build_object('going', att.going, 'waiting', att.waiting, 'notGoing', att.not_going,
	                                       'noAnswer', att.members - att.going - att.waiting - att.not_going),
	       'myAttendance', CASE WHEN mine.user_id IS NOT NULL THEN ` + attendanceStateJSON("my") + ` END) AS doc
	FROM page p
	JOIN events e ON e.id = p.id
	JOIN page_associations pa ON pa.id = e.association_id
	CROSS JOIN viewer v
	LEFT JOIN memberships mine ON mine.association_id = e.association_id AND mine.user_id = v.id AND mine.status = 'member'
	LEFT JOIN event_answers my ON my.event_id = e.id AND my.user_id = mine.user_id
	CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE ea.going AND ea.waiting_order IS NULL) AS going,
		       count(*) FILTER (WHERE ea.waiting_order IS NOT NULL) AS waiting,
		       count(*) FILTER (WHERE NOT ea.going) AS not_going,
		       (SELECT count(*) FROM memberships m WHERE m.association_id = e.association_id AND m.status = 'member') AS members
		FROM event_answers ea WHERE ea.event_id = e.id) att)`

// userAssociationDocs: the {id, name, users} object of each association of the page.
var userAssociationDocs = viewer + `,
page_association_ids AS (SELECT id FROM page),` + nestedAssociations + `,
docs AS (
	SELECT p.id, p.ord, pa.doc
	FROM page p
	JOIN page_associations pa ON pa.id = p.id)`

// dataVersionSQL is the data version: it grows with every committed write to a table
// the API's documents read from, in the transaction of the write, as it commits
// (migrations 0006 and 0013).
const dataVersionSQL = `(SELECT sum(version)::bigint FROM data_versions)`

// rowCount is the number of rows of table, kept by the triggers of migrations 0006
// and 0013: a whole list's total without counting it.
func rowCount(table string) string {
	return `(SELECT row_count FROM data_versions WHERE name = '` + table + `')`
}

// The least bytes each JSON object takes, as json_build_object writes it, with its
// texts empty or of one character and its numbers of one digit (no e-mail for a
// user, the shortest role for a member): a document's size is at least its fixed
// part, plus its texts' bytes, plus these times the length of its nested lists. The
// estimates built from them (the sizes fragments below) never exceed the size of the
// document, so that a page chosen by its estimates holds every row that fits.
const (
	userBytes        = 76  // {"id" : 1, "firstname" : "A", "lastname" : "B", "age" : 0, "isAdmin" : true}
	memberBytes      = 111 // a user with "role" : "A", "status" : "member", "manager" : true, without isAdmin
	associationBytes = 39  // {"id" : 1, "name" : "", "members" : []}
	nestedBytes      = 37  // {"id" : 1, "name" : "", "users" : []}: the association of a minute, an event, a user
	minuteBytes      = 92  // {"id" : 1, "content" : "", "date" : "...", "association" : , "voters" : []}
	eventBytes       = 252 // {"id" : 1, "name" : "", "start" : "...", "end" : "...", "place" : , "description" : , "capacity" : , "association" : , "attendance" : {...}, "myAttendance" : null}
)

// The sizes fragments turn the listed rows, CTE listed(id, ord), into CTE sizes(id,
// ord, bytes): a lower bound of each row's document, from the lengths of its texts
// and the counts of its nested lists (index lookups, no document built).

// nestedAssociationSizes is CTE listed_associations(id, bytes): the least size of the
// {id, name, users} object of each association whose id ids selects, counted once
// per association whatever the number of rows that nest it (MATERIALIZED: inlined,
// the count would run again for every row).
func nestedAssociationSizes(ids string) string {
	return `listed_associations AS MATERIALIZED (
	SELECT a.id, ` + strconv.Itoa(nestedBytes) + ` + octet_length(a.name) + ` + strconv.Itoa(userBytes) + ` *
	       (SELECT count(*) FROM memberships counted WHERE counted.association_id = a.id AND counted.status = 'member') AS bytes
	FROM associations a
	WHERE a.id IN (` + ids + `))`
}

// associationSizes: an Association and the members and invitations it lists.
var associationSizes = `sizes AS (
	SELECT l.id, l.ord, ` + strconv.Itoa(associationBytes) + ` + octet_length(a.name) + ` + strconv.Itoa(memberBytes) + ` *
	       (SELECT count(*) FROM memberships m WHERE m.association_id = l.id AND ` + listedMembership + `) AS bytes
	FROM listed l
	JOIN associations a ON a.id = l.id)`

// minuteSizes: a Minute, its association's members and its voters.
var minuteSizes = nestedAssociationSizes(`SELECT association_id FROM minutes WHERE id IN (SELECT id FROM listed)`) + `,
sizes AS (
	SELECT l.id, l.ord, ` + strconv.Itoa(minuteBytes) + ` + octet_length(mi.content) + la.bytes + ` + strconv.Itoa(userBytes) + ` *
	       (SELECT count(*) FROM minute_voters counted WHERE counted.minute_id = l.id) AS bytes
	FROM listed l
	JOIN minutes mi ON mi.id = l.id
	JOIN listed_associations la ON la.id = mi.association_id)`

// eventSizes: an Event and its association's members. Place, description and
// capacity are a quoted text or a number, or null.
var eventSizes = nestedAssociationSizes(`SELECT association_id FROM events WHERE id IN (SELECT id FROM listed)`) + `,
sizes AS (
	SELECT l.id, l.ord, ` + strconv.Itoa(eventBytes) + ` + octet_length(e.name) + la.bytes
	       + COALESCE(octet_length(e.place) + 2, 4) + COALESCE(octet_length(e.description) + 2, 4)
	       + COALESCE(length(e.capacity::text), 4) AS bytes
	FROM listed l
	JOIN events e ON e.id = l.id
	JOIN listed_associations la ON la.id = e.association_id)`

// userAssociationSizes: the {id, name, users} objects of a user's associations.
var userAssociationSizes = nestedAssociationSizes(`SELECT id FROM listed`) + `,
sizes AS (
	SELECT l.id, l.ord, la.bytes
	FROM listed l
	JOIN listed_associations la ON la.id = l.id)`

// listQuery returns (total, count, JSON array of the page's documents in ord order).
// The array holds the longest run of documents, in order, that fits in the byte
// budget (parameter $budgetParam), and at least one: a page that would be larger is
// cut short, and count says where the next one starts. The page's limit and offset
// are the two parameters before the budget. A page that ends the list says the total
// itself (its offset and its rows), so that only a full or empty page runs the total
// query, which reads the whole list.
//
// The documents are built for the rows whose estimated sizes (sizes, a lower bound)
// fit in the budget, not for every listed row: building them is the work of a page
// (each holds up to a thousand nested users), and building rows that the budget then
// drops made a page of large minutes run past the statement timeout. As the
// estimates never exceed the documents, every row that fits is built, and the budget
// bounds the work as much as the bytes: at most budget/userBytes nested users.
func listQuery(page, sizes, docs, total string, budgetParam int) string {
	limit, offset := "$"+strconv.Itoa(budgetParam-2)+"::bigint", "$"+strconv.Itoa(budgetParam-1)+"::bigint"
	budget := "$" + strconv.Itoa(budgetParam)
	return `WITH listed AS (` + page + `),` + sizes + `,
		page AS (SELECT id, ord FROM (SELECT id, ord, sum(bytes) OVER (ORDER BY ord) AS upto FROM sizes) estimated
		         WHERE upto <= ` + budget + ` OR ord = (SELECT min(ord) FROM listed)),` + docs + `,
		sized AS (SELECT ord, doc, sum(octet_length(doc::text) + 2) OVER (ORDER BY ord) AS upto FROM docs),
		kept AS (SELECT ord, doc FROM sized
		         WHERE upto <= ` + budget + ` OR ord = (SELECT min(ord) FROM sized)),
		rows AS (SELECT count(*) AS n FROM listed)
		SELECT CASE WHEN (SELECT n FROM rows) BETWEEN 1 AND ` + limit + ` - 1 OR ((SELECT n FROM rows) = 0 AND ` + offset + ` = 0)
		            THEN ` + offset + ` + (SELECT n FROM rows) ELSE (` + total + `) END,
		       (SELECT count(*) FROM kept),
		       COALESCE((SELECT json_agg(doc ORDER BY ord) FROM kept), '[]')`
}

// oneQuery returns the document of the single row page selects (no row when none).
func oneQuery(page, docs string) string {
	return `WITH page AS (` + page + `),` + docs + `
		SELECT doc FROM docs`
}

// Pages of one row, for single reads and for the answers of writes: an association
// by id ($1); minutes and an event by id ($3), for the viewer ($1, $2).
var (
	oneAssociation = oneQuery(`SELECT id, 1 AS ord FROM associations WHERE id = $1`, associationDocs)
	oneMinute      = oneQuery(`SELECT id, 1 AS ord FROM minutes WHERE id = $3`, minuteDocs)
	oneEvent       = oneQuery(`SELECT id, 1 AS ord FROM events WHERE id = $3`, eventDocs)
	// newMinute is the minutes this transaction wrote last, for the viewer ($1, $2): a
	// pipelined write (CreateMinute) cannot pass on the id its insert returned. The
	// subquery makes currval a value the planner looks up in the index.
	newMinute = oneQuery(`SELECT id, 1 AS ord FROM minutes WHERE id = (SELECT currval(pg_get_serial_sequence('minutes', 'id')))`, minuteDocs)
)

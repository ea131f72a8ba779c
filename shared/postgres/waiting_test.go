package postgres_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// plan creates an event of association id, starting tomorrow, with capacity places
// (0: no limit).
func (f *fixture) plan(caller asso.User, id int64, capacity int) int64 {
	f.t.Helper()
	name, place, description := "Tournament", "Salle des fêtes, 2 rue Haute", "Bring a board.\nAnd a clock."
	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	doc, err := f.db.CreateEvent(f.ctx, caller, asso.EventInput{Name: &name, Start: &start, End: &start, AssociationID: &id,
		Place: &place, Description: &description, Capacity: &capacity})
	if err != nil {
		f.t.Fatal(err)
	}
	var e asso.Event
	json.Unmarshal(doc, &e)
	return e.ID
}

// answer records u's answer and returns their place as the event now shows it to them.
func (f *fixture) answer(u asso.User, eventID int64, answer asso.RSVP) asso.AttendanceState {
	f.t.Helper()
	doc, err := f.db.AnswerEvent(f.ctx, u, eventID, answer)
	if err != nil {
		f.t.Fatalf("%s answers %s: %v", u.Firstname, answer, err)
	}
	var e asso.Event
	if json.Unmarshal(doc, &e); e.MyAttendance == nil {
		f.t.Fatalf("%s's answer does not show their place: %s", u.Firstname, doc)
	}
	return *e.MyAttendance
}

// places is the event's attendance and its waiting list (first names, in order) as a
// member sees them.
func (f *fixture) places(viewer asso.User, eventID int64) (asso.Attendance, []string) {
	f.t.Helper()
	doc, err := f.db.EventAttendees(f.ctx, viewer, eventID)
	if err != nil {
		f.t.Fatal(err)
	}
	var who asso.Attendees
	json.Unmarshal(doc, &who)
	waiting := []string{}
	for i, w := range who.Waiting {
		if w.Position != i+1 {
			f.t.Errorf("the waiting list's %d. is at position %d: %s", i+1, w.Position, doc)
		}
		waiting = append(waiting, w.Firstname)
	}
	return who.Attendance, waiting
}

// promotions are the promotion e-mails queued for event eventID: "recipient from sender".
func (f *fixture) promotions(eventID int64) []string {
	f.t.Helper()
	rows, _ := f.sql.Query(f.ctx, `
		SELECT o.recipient || ' from ' || COALESCE(s.firstname, 'nobody') FROM mail_outbox o LEFT JOIN users s ON s.id = o.sender_id
		WHERE o.kind = 'promotion' AND o.event_id = $1 ORDER BY o.id`, eventID)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// TestWaitingList: "coming" beyond the capacity waits, in the order of the answers;
// answering "coming" again keeps one's rank; a place given up (an answer, a member
// who leaves or is removed, an account deleted) goes to the first on the list, who
// gets one promotion e-mail; a capacity that grows or goes moves the list up; one
// lowered below those coming keeps them all, and nobody moves up until below.
func TestWaitingList(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan, eve, fay := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true),
		f.user("eve", true), f.user("fay", true)
	club := f.association(ada, bob, cy, dan, eve, fay)
	eventID := f.plan(ada, club, 2)

	for _, tc := range []struct {
		who  asso.User
		want asso.AttendanceState
	}{
		{bob, asso.AttendanceState{State: "going"}},
		{cy, asso.AttendanceState{State: "going"}},
		{dan, asso.AttendanceState{State: "waiting", Position: 1}},
		{eve, asso.AttendanceState{State: "waiting", Position: 2}},
		{dan, asso.AttendanceState{State: "waiting", Position: 1}}, // again: he keeps his rank
		{fay, asso.AttendanceState{State: "waiting", Position: 3}},
		{cy, asso.AttendanceState{State: "going"}}, // again: she keeps her place
	} {
		if got := f.answer(tc.who, eventID, asso.Going); got != tc.want {
			t.Errorf("%s answers coming: %+v, want %+v", tc.who.Firstname, got, tc.want)
		}
	}
	attendance, waiting := f.places(ada, eventID)
	if attendance != (asso.Attendance{Going: 2, Waiting: 3, NoAnswer: 1}) || !slices.Equal(waiting, []string{"dan", "eve", "fay"}) {
		t.Fatalf("attendance %+v, waiting %v", attendance, waiting)
	}
	if got := f.promotions(eventID); len(got) != 0 {
		t.Fatalf("promotions before any place freed: %v", got)
	}

	// bob gives his place up: dan has it, and one e-mail says so (counted for the
	// association, from nobody: saying no is never refused for its mail).
	if got := f.answer(bob, eventID, asso.NotGoing); got != (asso.AttendanceState{State: "not_going"}) {
		t.Errorf("bob after saying no: %+v", got)
	}
	if got := f.answer(eve, eventID, asso.Going); got != (asso.AttendanceState{State: "waiting", Position: 1}) {
		t.Errorf("eve moved up the list: %+v", got)
	}
	if got, want := f.promotions(eventID), []string{"dan@example.org from nobody"}; !slices.Equal(got, want) {
		t.Errorf("promotions %v, want %v", got, want)
	}
	// Someone waiting who gives up frees no place: nobody is mailed.
	f.answer(fay, eventID, asso.NotGoing)
	f.answer(fay, eventID, asso.Going) // and back: at the end of the list
	if _, waiting := f.places(ada, eventID); !slices.Equal(waiting, []string{"eve", "fay"}) {
		t.Errorf("waiting %v, want eve then fay", waiting)
	}

	// cy leaves the club: eve has her place.
	if _, err := f.db.LeaveAssociation(f.ctx, cy, club); err != nil {
		t.Fatal(err)
	}
	// ada removes dan: fay has his.
	if _, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{UserIDs: &[]int64{ada.ID, bob.ID, eve.ID, fay.ID}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"dan@example.org from nobody", "eve@example.org from nobody", "fay@example.org from ada"}
	if got := f.promotions(eventID); !slices.Equal(got, want) {
		t.Errorf("promotions %v, want %v", got, want)
	}
	if attendance, _ := f.places(ada, eventID); attendance != (asso.Attendance{Going: 2, NotGoing: 1, NoAnswer: 1}) {
		t.Errorf("after cy left and dan was removed: %+v", attendance)
	}

	// The capacity is lowered to 1, under the 2 coming: both keep their places.
	one, three := 1, 3
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Capacity: &one}); err != nil {
		t.Fatal(err)
	}
	if got := f.answer(bob, eventID, asso.Going); got != (asso.AttendanceState{State: "waiting", Position: 1}) {
		t.Errorf("bob coming again over a lowered capacity: %+v", got)
	}
	if got := f.answer(ada, eventID, asso.Going); got != (asso.AttendanceState{State: "waiting", Position: 2}) {
		t.Errorf("ada coming: %+v", got)
	}
	f.answer(eve, eventID, asso.NotGoing) // 1 coming for 1 place: nobody moves up
	if attendance, waiting := f.places(ada, eventID); attendance.Going != 1 || !slices.Equal(waiting, []string{"bob", "ada"}) {
		t.Errorf("eve gave up one of 2 places over a capacity of 1: %+v, waiting %v", attendance, waiting)
	}
	// The capacity grows to 3: bob and ada have the new places.
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Capacity: &three}); err != nil {
		t.Fatal(err)
	}
	want = append(want, "ada@example.org from ada", "bob@example.org from ada")
	if got := f.promotions(eventID); !slices.Equal(got, want) {
		t.Errorf("promotions after the capacity grew: %v, want %v", got, want)
	}

	// Without a capacity, everyone waiting has a place.
	f.answer(eve, eventID, asso.Going) // the 4th, for 3 places
	none := 0
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Capacity: &none}); err != nil {
		t.Fatal(err)
	}
	if attendance, waiting := f.places(ada, eventID); attendance != (asso.Attendance{Going: 4}) || len(waiting) != 0 {
		t.Errorf("without a capacity: %+v, waiting %v", attendance, waiting)
	}

	// An account deleted frees its place too; its promotion has no sender.
	four := 4
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Capacity: &four}); err != nil {
		t.Fatal(err)
	}
	// eve moved up when the capacity went: no mail, she had one for this event today.
	rejoin := func(u asso.User) {
		f.exec(`INSERT INTO memberships (association_id, user_id, joined_at) VALUES ($1, $2, now())`, club, u.ID)
	}
	rejoin(dan)
	if got := f.answer(dan, eventID, asso.Going); got.State != "waiting" {
		t.Errorf("dan, the 5th for 4 places: %+v", got)
	}
	if _, err := f.db.DeleteUser(f.ctx, fay, fay.ID); err != nil {
		t.Fatal(err)
	}
	// dan has her place; he had a promotion e-mail for this event today already, so
	// none again (a place traded back and forth makes no mail).
	if got := f.answer(dan, eventID, asso.Going); got.State != "going" {
		t.Errorf("dan after fay's account went: %+v", got)
	}
	if got := f.promotions(eventID); !slices.Equal(got, want) {
		t.Errorf("promotions after fay's account went: %v, want %v", got, want)
	}
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '25 hours' WHERE kind = 'promotion'`)

	// An event that has ended keeps its list.
	rejoin(cy)
	f.answer(cy, eventID, asso.Going)
	f.exec(`UPDATE events SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' WHERE id = $1`, eventID)
	f.answer(bob, eventID, asso.NotGoing)
	if got := f.promotions(eventID); !slices.Equal(got, want) {
		t.Errorf("promotions to an event that has ended: %v", got)
	}
}

// TestNoOverfill: 50 members answer "coming" at once to 10 places: 10 have one and
// 40 wait, each at a position of their own (without the event's lock, some 28 had
// one). Then the 10 give them up at once: the
// first 10 on the list have them, each with one e-mail.
func TestNoOverfill(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	club := f.association(ada)
	f.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'member' || n || '@example.org', 'Member', 'Number ' || n, 30, 'x', now() FROM generate_series(1, 50) AS n`)
	f.exec(`INSERT INTO memberships (association_id, user_id, joined_at) SELECT $1, id, now() FROM users WHERE id <> $2`, club, ada.ID)
	rows, _ := f.sql.Query(f.ctx, `SELECT id FROM users WHERE id <> $1 ORDER BY id`, ada.ID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) != 50 {
		t.Fatalf("%d members, %v", len(ids), err)
	}
	eventID := f.plan(ada, club, 10)

	// answerAll has who answer at once: each waits for the others to be ready.
	answerAll := func(who []int64, answer asso.RSVP) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, len(who))
		for _, id := range who {
			wg.Go(func() {
				<-start
				if _, err := f.db.AnswerEvent(f.ctx, asso.User{ID: id}, eventID, answer); err != nil {
					errs <- fmt.Errorf("member %d: %w", id, err)
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	// They all say no first, which opens the pool's connections, then all change
	// their minds at once.
	answerAll(ids, asso.NotGoing)
	answerAll(ids, asso.Going)
	attendance, waiting := f.places(ada, eventID)
	if attendance != (asso.Attendance{Going: 10, Waiting: 40, NoAnswer: 1}) || len(waiting) != 40 {
		t.Fatalf("50 at once for 10 places: %+v, %d waiting", attendance, len(waiting))
	}

	rows, _ = f.sql.Query(f.ctx, `SELECT user_id FROM event_answers WHERE event_id = $1 AND waiting_order IS NULL`, eventID)
	placed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = f.sql.Query(f.ctx, `SELECT u.email FROM event_answers ea JOIN users u ON u.id = ea.user_id
		WHERE ea.event_id = $1 AND ea.waiting_order IS NOT NULL ORDER BY ea.waiting_order LIMIT 10`, eventID)
	firstTen, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	answerAll(placed, asso.NotGoing)
	attendance, waiting = f.places(ada, eventID)
	if attendance != (asso.Attendance{Going: 10, Waiting: 30, NotGoing: 10, NoAnswer: 1}) || len(waiting) != 30 {
		t.Errorf("after the 10 gave their places up: %+v, %d waiting", attendance, len(waiting))
	}
	var promoted []string
	for _, p := range f.promotions(eventID) {
		var to string
		fmt.Sscan(p, &to)
		promoted = append(promoted, to)
	}
	slices.Sort(promoted)
	slices.Sort(firstTen)
	if !slices.Equal(promoted, firstTen) {
		t.Errorf("promotions to %v, want one to each of the first 10 on the list %v", promoted, firstTen)
	}
}

// TestPromotionWithinTheBudget: a promotion e-mail counts in the budgets like every
// event e-mail. A manager's change that would send mail past the association's budget
// is refused whole (nobody moves). Saying one cannot come and deleting one's account
// are never refused for the mail they cause: their promotions are queued, counted in
// the association's budget, from nobody.
func TestPromotionWithinTheBudget(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true)
	club := f.association(ada, bob, cy, dan)
	eventID := f.plan(ada, club, 1) // 4 invitations
	f.answer(bob, eventID, asso.Going)
	f.answer(cy, eventID, asso.Going)
	f.answer(dan, eventID, asso.Going)
	f.db.Limits.MailsPerAssociationHour = 4

	two := 2
	_, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Capacity: &two})
	if e, ok := appError(err); !ok || e.Code != asso.ETOOMANY || e.Reason != "mail_budget" {
		t.Fatalf("a change past the association's budget: %v, want 429 mail_budget", err)
	}
	if attendance, waiting := f.places(ada, eventID); attendance.Going != 1 || !slices.Equal(waiting, []string{"cy", "dan"}) {
		t.Errorf("the refused change moved people: %+v, waiting %v", attendance, waiting)
	}
	if got := f.promotions(eventID); len(got) != 0 {
		t.Errorf("a refused change queued %v", got)
	}

	// Over the budget, bob can still say he cannot come: cy has his place.
	if _, err := f.db.AnswerEvent(f.ctx, bob, eventID, asso.NotGoing); err != nil {
		t.Fatalf("saying no over the budget: %v", err)
	}
	if got := f.promotions(eventID); !slices.Equal(got, []string{"cy@example.org from nobody"}) {
		t.Errorf("after bob said no: %v", got)
	}
	var counted int
	f.scan(`SELECT count(*) FROM mail_outbox WHERE association_id = $1 AND kind = 'promotion'`, []any{club}, &counted)
	if counted != 1 {
		t.Errorf("%d promotions counted for the association, want 1", counted)
	}

	// cy's account goes all the same, and dan has her place.
	if _, err := f.db.DeleteUser(f.ctx, cy, cy.ID); err != nil {
		t.Fatalf("deleting an account over the budget: %v", err)
	}
	if got := f.promotions(eventID); !slices.Equal(got, []string{"cy@example.org from nobody", "dan@example.org from nobody"}) {
		t.Errorf("after cy's account went: %v", got)
	}
}

// TestNoReminderOnTheWaitingList: a member waiting for a place is not reminded of the
// event (they have no place to come to); those with a place and those who have not
// answered are.
func TestNoReminderOnTheWaitingList(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy := f.user("ada", true), f.user("bob", true), f.user("cy", true)
	club := f.association(ada, bob, cy)
	eventID := f.plan(ada, club, 1)
	f.answer(bob, eventID, asso.Going)
	f.answer(cy, eventID, asso.Going)
	if _, err := f.db.QueueReminders(f.ctx, 48*time.Hour, 100); err != nil {
		t.Fatal(err)
	}
	want := []string{"reminder ada@example.org Tournament#0 due", "reminder bob@example.org Tournament#0 due"}
	if got := f.outbox("reminder"); !slices.Equal(got, want) {
		t.Errorf("reminders %v, want %v", got, want)
	}
}

// TestMovedEventKeepsItsNewMembersOnly: an event moved to another association keeps
// the answers of that association's members only; the places the others held go to
// its waiting list (found by the attack on issue 22: they kept them, unseen).
func TestMovedEventKeepsItsNewMembersOnly(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true)
	chess := f.association(ada, bob, cy)
	darts := f.association(ada, cy, dan)
	eventID := f.plan(ada, chess, 1)
	f.answer(bob, eventID, asso.Going) // bob has the place
	f.answer(cy, eventID, asso.Going)  // cy waits
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{AssociationID: &darts}); err != nil {
		t.Fatal(err)
	}
	// bob is not a member of darts: his answer went, and cy, a member of both, has his place.
	if attendance, waiting := f.places(ada, eventID); attendance != (asso.Attendance{Going: 1, NoAnswer: 2}) || len(waiting) != 0 {
		t.Errorf("after the move: %+v, waiting %v", attendance, waiting)
	}
	if got := f.answer(dan, eventID, asso.Going); got != (asso.AttendanceState{State: "waiting", Position: 1}) {
		t.Errorf("dan, after the move: %+v", got)
	}
	if got := f.promotions(eventID); !slices.Equal(got, []string{"cy@example.org from ada"}) {
		t.Errorf("promotions %v", got)
	}
}

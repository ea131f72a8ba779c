package e2e_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// csvExport checks that r is a CSV export, a file called filename (in UTF-8), and
// returns its records, its header row first, as a spreadsheet would read them: on
// commas in English, on semicolons in French (a file name starting in French).
func csvExport(t *testing.T, r response, filename string) [][]string {
	t.Helper()
	checkAttachment(t, r, "text/csv; charset=utf-8", filename)
	body, ok := bytes.CutPrefix(r.body, []byte("\uFEFF"))
	if !ok {
		t.Fatalf("no byte order mark: %q", r.body)
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Errorf("lines do not end with CRLF: %q", body)
	}
	reader := csv.NewReader(bytes.NewReader(body))
	if strings.HasPrefix(filename, "membres-") || strings.HasPrefix(filename, "présences-") {
		reader.Comma = ';'
	}
	records, err := reader.ReadAll()
	if err != nil {
		t.Fatalf("%v in %q", err, body)
	}
	return records
}

// checkAttachment checks an export's type and its name, ASCII and UTF-8.
func checkAttachment(t *testing.T, r response, contentType, filename string) {
	t.Helper()
	if got := r.header.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q, want %q", got, contentType)
	}
	disposition := r.header.Get("Content-Disposition")
	m := regexp.MustCompile(`^attachment; filename="([A-Za-z0-9.-]+)"; filename\*=UTF-8''([A-Za-z0-9.%-]+)$`).FindStringSubmatch(disposition)
	if m == nil {
		t.Fatalf("Content-Disposition %q", disposition)
	}
	if utf8Name := percentDecode(m[2]); utf8Name != filename {
		t.Errorf("filename* %q is %q, want %q", m[2], utf8Name, filename)
	}
}

func percentDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			var c byte
			fmt.Sscanf(s[i+1:i+3], "%02X", &c)
			b = append(b, c)
			i += 2
		} else {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// TestExports: a manager downloads the members, an event's attendance and the
// minutes; the files read back as written, with commas, quotes, line breaks and
// formulas in names and roles, and with no address the contract hides from the
// manager; members who do not manage and everyone else are refused.
func TestExports(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob := s.person("Bob", `Durand, "le grand"`, "bob@example.org", "password123")
	cy := s.person("=HYPERLINK(\"http://evil\")", "Ünal", "cy@example.org", "password123")
	dan := s.person("Dan", "Invited", "dan@example.org", "password123")
	eve := s.person("Eve", "Byaddress", "eve@example.org", "password123")
	_, frankToken := s.member("frank@example.org")
	admin := s.login(adminEmail, adminPassword)

	var club asso.Association
	s.request("POST", "/api/associations", adaToken, map[string]any{"name": "Échecs, club", "idUsers": []int64{bob.ID, cy.ID, dan.ID}}).
		want(t, 201).decode(t, &club)
	s.accept(club.ID, bob.ID, cy.ID) // Dan has not answered yet
	s.request("POST", fmt.Sprintf("/api/associations/%d/invitations", club.ID), adaToken, map[string]string{"email": eve.Email}).want(t, 202)
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "Treasurer, \"chief\"", "idUser": bob.ID, "idAssociation": club.ID}).want(t, 201)
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "-Secretary", "idUser": cy.ID, "idAssociation": club.ID}).want(t, 201)
	// The API refuses line breaks in names; older rows may hold them.
	s.exec(`UPDATE users SET lastname = 'Ünal' || chr(10) || 'the second' WHERE id = $1`, cy.ID)
	A := itoa(club.ID)

	joined := regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$`)
	members := csvExport(t, s.request("GET", "/api/associations/"+A+"/members.csv", adaToken, nil).want(t, 200), "members-Échecs-club.csv")
	if want := []string{"First name", "Last name", "E-mail", "Role", "Status", "Manager", "Joined"}; !slices.Equal(members[0], want) {
		t.Errorf("header %q, want %q", members[0], want)
	}
	type row = [6]string // all but joinedAt, which is now
	want := []row{
		{"Ada", "Lovelace", ada.Email, "member", "member", "yes"},
		{"Bob", `Durand, "le grand"`, bob.Email, `Treasurer, "chief"`, "member", "no"},
		{`'=HYPERLINK("http://evil")`, "Ünal\nthe second", cy.Email, "'-Secretary", "member", "no"},
		{"Dan", "Invited", "", "member", "invited", "no"}, // his address is not Ada's to see; Eve's invitation is not listed
	}
	if len(members) != len(want)+1 {
		t.Fatalf("%d rows, want %d: %q", len(members)-1, len(want), members)
	}
	for i, w := range want {
		got := members[i+1]
		if row(got[:6]) != w || joined.MatchString(got[6]) == (w[4] == "invited") {
			t.Errorf("row %d: %q, want %q and a join time for members only", i+1, got, w)
		}
	}
	// Read again, it comes from the page cache, name included.
	hits, _, _ := s.server.Pages.Stats()
	again := csvExport(t, s.request("GET", "/api/associations/"+A+"/members.csv", adaToken, nil).want(t, 200), "members-Échecs-club.csv")
	if now, _, _ := s.server.Pages.Stats(); now != hits+1 || !slices.EqualFunc(again, members, slices.Equal) {
		t.Errorf("read again: %d cache hits, want %d; %q", now, hits+1, again)
	}
	// The admin sees every address.
	byAdmin := csvExport(t, s.request("GET", "/api/associations/"+A+"/members.csv", admin, nil).want(t, 200), "members-Échecs-club.csv")
	if got := byAdmin[4][2]; got != dan.Email {
		t.Errorf("the admin reads Dan's address as %q", got)
	}

	// The attendance: answers, and the time of each.
	var ev asso.Event
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Tournoi d'été", "start": "2099-06-01T10:00:00Z",
		"end": "2099-06-01T18:00:00Z", "association": club.ID}).want(t, 201).decode(t, &ev)
	bobToken, cyToken := s.login(bob.Email, "password123"), s.login(cy.Email, "password123")
	s.request("PUT", "/api/attendance/"+itoa(ev.ID), bobToken, map[string]string{"answer": "going"}).want(t, 200)
	s.request("PUT", "/api/attendance/"+itoa(ev.ID), cyToken, map[string]string{"answer": "not_going"}).want(t, 200)
	attendance := csvExport(t, s.request("GET", "/api/attendance/"+itoa(ev.ID)+"/attendees.csv", adaToken, nil).want(t, 200),
		"attendance-Tournoi-d-été.csv")
	if want := []string{"First name", "Last name", "E-mail", "Answer", "Answered"}; !slices.Equal(attendance[0], want) {
		t.Errorf("header %q, want %q", attendance[0], want)
	}
	answers := map[string]string{}
	for _, r := range attendance[1:] {
		answers[r[2]] = r[3]
		if answered := joined.MatchString(r[4]); answered == (r[3] == "no answer") {
			t.Errorf("row %q: answeredAt for the answers only", r)
		}
	}
	if fmt.Sprint(answers) != fmt.Sprint(map[string]string{ada.Email: "no answer", bob.Email: "going", cy.Email: "not going"}) {
		t.Errorf("answers %v (members only, Dan is invited)", answers)
	}

	// The minutes, oldest first, as typed.
	for _, m := range []map[string]any{
		{"content": "Second meeting.\n# Not a title <b>bold</b>", "date": "2024-03-17", "idVoters": []int64{}},
		{"content": "First meeting: budget *approved*.", "date": "2024-03-10", "idVoters": []int64{ada.ID, bob.ID}},
	} {
		m["idAssociation"] = club.ID
		s.request("POST", "/api/minutes", adaToken, m).want(t, 201)
	}
	r := s.request("GET", "/api/associations/"+A+"/minutes.md", adaToken, nil).want(t, 200)
	checkAttachment(t, r, "text/markdown; charset=utf-8", "minutes-Échecs-club.md")
	wantDoc := "# Minutes of Échecs, club\n" +
		"\n## March 10, 2024\n\nFirst meeting: budget \\*approved\\*.\n\nVoters: Ada Lovelace, Bob Durand, \"le grand\".\n" +
		"\n## March 17, 2024\n\nSecond meeting.  \n\\# Not a title \\<b\\>bold\\</b\\>\n\nVoters: none recorded.\n"
	if string(r.body) != wantDoc || r.header.Get("X-Total-Count") != "2" {
		t.Errorf("the minutes (%s in all):\n%s\nwant\n%s", r.header.Get("X-Total-Count"), r.body, wantDoc)
	}

	// In French for a manager who reads French: titles, states, days and file names.
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{"locale": "fr"}).want(t, 200)
	enFrançais := csvExport(t, s.request("GET", "/api/associations/"+A+"/members.csv", adaToken, nil).want(t, 200), "membres-Échecs-club.csv")
	if want := []string{"Prénom", "Nom", "E-mail", "Rôle", "Statut", "Gestionnaire", "Adhésion"}; !slices.Equal(enFrançais[0], want) ||
		!slices.Equal(enFrançais[4][3:6], []string{"membre", "invité", "non"}) {
		t.Errorf("in French: header %q, Dan's row %q", enFrançais[0], enFrançais[4])
	}
	attendance = csvExport(t, s.request("GET", "/api/attendance/"+itoa(ev.ID)+"/attendees.csv", adaToken, nil).want(t, 200),
		"présences-Tournoi-d-été.csv")
	if attendance[0][3] != "Réponse" || !slices.ContainsFunc(attendance[1:], func(r []string) bool { return r[3] == "ne vient pas" }) {
		t.Errorf("the attendance in French: %q", attendance)
	}
	r = s.request("GET", "/api/associations/"+A+"/minutes.md", adaToken, nil).want(t, 200)
	checkAttachment(t, r, "text/markdown; charset=utf-8", "comptes-rendus-Échecs-club.md")
	if !strings.HasPrefix(string(r.body), "# Comptes rendus de Échecs, club\n\n## 10 mars 2024\n") || !strings.Contains(string(r.body), "Votants\u00a0: aucun enregistré.") {
		t.Errorf("the minutes in French:\n%s", r.body)
	}

	// Only managers and the admin: a member gets not_manager, others not_member.
	danToken := s.login(dan.Email, "password123")
	for _, path := range []string{"/api/associations/" + A + "/members.csv", "/api/attendance/" + itoa(ev.ID) + "/attendees.csv",
		"/api/associations/" + A + "/minutes.md"} {
		for _, refused := range []struct{ who, token, code string }{
			{"Bob, a member", bobToken, "not_manager"}, {"Frank", frankToken, "not_member"}, {"Dan, invited", danToken, "not_member"},
		} {
			if code := s.request("GET", path, refused.token, nil).want(t, 403).code(t); code != refused.code {
				t.Errorf("%s: %s gets %s, want %s", path, refused.who, code, refused.code)
			}
		}
		s.request("GET", path, "", nil).want(t, 401)
	}
	s.request("GET", "/api/associations/999999/members.csv", adaToken, nil).want(t, 404)
	s.request("GET", "/api/attendance/999999/attendees.csv", adaToken, nil).want(t, 404)
	s.request("GET", "/api/associations/"+A+"/members.csv?limit=0", adaToken, nil).want(t, 400)
}

// TestExportsAreBounded: a file never passes the byte budget; it ends after a whole
// row or minute and links to the rest, and the pages hold every row once. The pages
// large enough to be gzipped arrive intact.
func TestExportsAreBounded(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, token := s.member("ada@example.org")
	club := s.createAssociation(token, "Big club")
	s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'member' || n || '@example.org', 'Émile', 'Number ' || n, 30, 'x', now() FROM generate_series(1, 299) AS n`)
	s.exec(`INSERT INTO memberships (association_id, user_id, status, joined_at) SELECT $1, id, 'member', now() FROM users WHERE id <> $2 AND NOT is_admin`,
		club.ID, ada.ID)
	s.exec(`INSERT INTO minutes (association_id, content, date) SELECT $1, repeat('x', 3000), '2024-01-01'::timestamptz + n * interval '1 day'
		FROM generate_series(1, 40) AS n`, club.ID)
	budget := 16 << 10
	s.server.DB.Limits.ResponseBytes = budget

	for path, rows := range map[string]int{
		"/api/associations/" + itoa(club.ID) + "/members.csv": 300,
		"/api/associations/" + itoa(club.ID) + "/minutes.md":  40,
	} {
		var seen []string
		next, pages := path, 0
		for next != "" {
			r := s.request("GET", next, token, nil).want(t, 200)
			pages++
			if len(r.body) > budget {
				t.Fatalf("%s: %d bytes", next, len(r.body))
			}
			if r.header.Get("X-Total-Count") != itoa(int64(rows)) {
				t.Fatalf("%s: X-Total-Count %q", next, r.header.Get("X-Total-Count"))
			}
			if strings.HasSuffix(path, ".csv") {
				for _, record := range csvExport(t, r, "members-Big-club.csv")[1:] {
					seen = append(seen, record[2])
				}
			} else {
				seen = append(seen, regexp.MustCompile(`(?m)^## (.+)$`).FindAllString(string(r.body), -1)...)
			}
			next = ""
			if link := r.header.Get("Link"); link != "" {
				next = regexp.MustCompile(`^<(/api/[^>]+)>; rel="next"$`).FindStringSubmatch(link)[1]
			}
		}
		slices.Sort(seen)
		if len(seen) != rows || len(slices.Compact(seen)) != rows || pages < 2 {
			t.Errorf("%s: %d rows in %d pages, want the %d once each in several pages", path, len(seen), pages, rows)
		}
	}
	// A page is never empty: one minute larger than the budget comes alone.
	s.exec(`UPDATE minutes SET content = repeat('y', $1) WHERE date = '2024-01-02'`, budget*2)
	r := s.request("GET", "/api/associations/"+itoa(club.ID)+"/minutes.md?limit=3", token, nil).want(t, 200)
	if n := strings.Count(string(r.body), "\n## "); n != 1 || !strings.Contains(r.header.Get("Link"), "offset=1") {
		t.Errorf("a minute over the budget: %d sections, Link %q", n, r.header.Get("Link"))
	}
}

package e2e_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

func TestMetaRoutes(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var info map[string]string
	s.request("GET", "/api", "", nil).want(t, 200).decode(t, &info)
	if info["name"] != "KittenAsso's" || info["docs"] != "/api/openapi.json" || info["version"] == "" {
		t.Errorf("GET /api = %v", info)
	}
	var health map[string]any
	s.request("GET", "/api/health", "", nil).want(t, 200).decode(t, &health)
	if health["status"] != "ok" || health["database"] != "ok" || health["mail"] != "ok" {
		t.Errorf("GET /api/health = %v", health)
	}
	var doc map[string]any
	s.request("GET", "/api/openapi.json", "", nil).want(t, 200).decode(t, &doc)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi version %v", doc["openapi"])
	}
}

func TestHealthWhenDatabaseIsDown(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.server.DB.Close() // the pool refuses every query from now on
	var health map[string]any
	s.request("GET", "/api/health", "", nil).want(t, 503).decode(t, &health)
	if health["database"] != "unreachable" || health["status"] != "error" {
		t.Errorf("health = %v", health)
	}
	// Any other route answers a bare JSON 500, internals kept out (checked by request).
	s.request("POST", "/api/users", "", map[string]any{
		"firstname": "A", "lastname": "B", "age": 1, "email": "down@example.org", "password": "password123",
	}).want(t, 500)
}

func TestSignUp(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var u asso.User
	s.request("POST", "/api/users", "", map[string]any{
		"firstname": " Grace ", "lastname": "Hopper", "age": "21", "email": "Grace@Example.org",
		"password": "correct horse", "isAdmin": true, "unknown": "ignored",
	}).want(t, 201).decode(t, &u)
	want := asso.User{ID: u.ID, Email: "Grace@Example.org", Firstname: "Grace", Lastname: "Hopper", Age: 21}
	if u != want || u.ID <= 0 {
		t.Errorf("created %+v, want %+v", u, want)
	}
	// The verification e-mail is in the outbox, with a real link, and the token is
	// stored only as a hash.
	token := s.mailedToken("Grace@Example.org")
	if len(token) < 43 {
		t.Errorf("token %q is shorter than 32 bytes of base64", token)
	}
	if n := s.count(`SELECT count(*) FROM verification_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, token); n != 0 {
		t.Error("the token is stored in clear")
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE payload->>'firstname' = 'Grace' AND payload->>'lastname' = 'Hopper'`); n != 1 {
		t.Errorf("%d verification e-mails with the names, want 1", n)
	}
	// The same address in another case is the same address.
	r := s.request("POST", "/api/users", "", map[string]any{
		"firstname": "G", "lastname": "H", "age": 30, "email": "grace@example.ORG", "password": "password123",
	}).want(t, 409)
	if m := r.message(t); m != "email already used" {
		t.Errorf("message %q", m)
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox`); n != 1 {
		t.Errorf("the refused sign-up left %d outbox rows in all, want 1", n)
	}
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	valid := func() map[string]any {
		return map[string]any{"firstname": "A", "lastname": "B", "age": 30, "email": "a@example.org", "password": "password123"}
	}
	with := func(k string, v any) map[string]any { m := valid(); m[k] = v; return m }
	without := func(k string) map[string]any { m := valid(); delete(m, k); return m }
	for name, tc := range map[string]struct {
		body any
		want string
	}{
		"empty body":        {"", "firstname should not be empty | lastname should not be empty | age should not be empty | email should not be empty | password should not be empty"},
		"no email":          {without("email"), "email should not be empty"},
		"bad email":         {with("email", "not-an-email"), "email must be an email"},
		"header injection":  {with("email", "a@example.org\r\nBcc: x@example.org"), "email must not contain control characters"},
		"display name":      {with("email", "Ada <a@example.org>"), "email must be an email"},
		"blank firstname":   {with("firstname", "   "), "firstname should not be empty"},
		"number firstname":  {with("firstname", 12), "firstname must be a string"},
		"long lastname":     {with("lastname", strings.Repeat("x", 101)), "lastname must be shorter than or equal to 100 characters"},
		"negative age":      {with("age", -1), "age must be a non-negative integer"},
		"fractional age":    {with("age", 21.5), "age must be a non-negative integer"},
		"word age":          {with("age", "old"), "age must be a non-negative integer"},
		"age over 150":      {with("age", 151), "age must not be greater than 150"},
		"short password":    {with("password", "short"), "password must be longer than or equal to 8 characters"},
		"long password":     {with("password", strings.Repeat("p", 73)), "password must be shorter than or equal to 72 bytes"},
		"null password":     {with("password", nil), "password should not be empty"},
		"array body":        {`[1,2]`, "the request body must be a JSON object"},
		"malformed JSON":    {`{"firstname": "A",`, "malformed JSON in the request body"},
		"trailing garbage":  {`{"firstname": "A"} x`, "malformed JSON in the request body"},
		"wrong type object": {`"a string"`, "the request body must be a JSON object"},
	} {
		r := s.request("POST", "/api/users", "", tc.body).want(t, 400)
		if got := r.message(t); got != tc.want {
			t.Errorf("%s: message %q, want %q", name, got, tc.want)
		}
	}
	if n := s.count(`SELECT count(*) FROM users`); n != 1 {
		t.Errorf("%d users after refused sign-ups, want only the admin", n)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	big := `{"firstname":"` + strings.Repeat("a", 1<<20) + `"}`
	r := s.request("POST", "/api/users", "", big).want(t, 413)
	if m := r.message(t); m != "request body is larger than 1 MiB" {
		t.Errorf("message %q", m)
	}
	// Just under the limit is read (and refused for its content, not its size).
	justUnder := `{"firstname":"` + strings.Repeat("a", 1<<20-40) + `"}`
	s.request("POST", "/api/users", "", justUnder).want(t, 400)
}

func TestConcurrentSignUpsWithOneEmail(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.request("POST", "/api/users", "", map[string]any{
				"firstname": "Twin", "lastname": fmt.Sprint(i), "age": 20,
				"email": []string{"twin@example.org", "TWIN@example.org"}[i%2], "password": "password123",
			}).status
		}()
	}
	wg.Wait()
	created := 0
	for _, st := range statuses {
		switch st {
		case 201:
			created++
		case 409:
		default:
			t.Errorf("status %d, want 201 or 409", st)
		}
	}
	if created != 1 {
		t.Errorf("%d sign-ups succeeded, want 1 (%v)", created, statuses)
	}
	if c := s.count(`SELECT count(*) FROM users WHERE lower(email) = 'twin@example.org'`); c != 1 {
		t.Errorf("%d users with the address, want 1", c)
	}
	if c := s.count(`SELECT count(*) FROM mail_outbox WHERE lower(recipient) = 'twin@example.org'`); c != 1 {
		t.Errorf("%d verification e-mails, want 1", c)
	}
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.login(adminEmail, adminPassword)
	for i := range 4 {
		s.signUp(fmt.Sprintf("u%d@example.org", i), "password123")
	}
	s.request("GET", "/api/users", "", nil).want(t, 401)

	var all []asso.User
	r := s.request("GET", "/api/users", admin, nil).want(t, 200)
	r.decode(t, &all)
	if len(all) != 5 || r.header.Get("X-Total-Count") != "5" || all[0].Email != adminEmail || !all[0].IsAdmin {
		t.Fatalf("list = %+v, total %q", all, r.header.Get("X-Total-Count"))
	}
	var page []asso.User
	r = s.request("GET", "/api/users?limit=2&offset=1", admin, nil).want(t, 200)
	r.decode(t, &page)
	if len(page) != 2 || page[0].ID != all[1].ID || page[1].ID != all[2].ID || r.header.Get("X-Total-Count") != "5" {
		t.Errorf("page = %+v, total %q", page, r.header.Get("X-Total-Count"))
	}
	r = s.request("GET", "/api/users?offset=10", admin, nil).want(t, 200)
	if string(r.body) != "[]" || r.header.Get("X-Total-Count") != "5" {
		t.Errorf("past the end: %s, total %q", r.body, r.header.Get("X-Total-Count"))
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "offset=-1", "offset=1.5", "limit=1e3"} {
		s.request("GET", "/api/users?"+q, admin, nil).want(t, 400)
	}
	r = s.request("GET", "/api/users?limit=0&offset=-1", admin, nil).want(t, 400)
	if m := r.message(t); m != "limit must be an integer from 1 to 1000 | offset must be a non-negative integer" {
		t.Errorf("message %q", m)
	}
}

// TestSearchUsersAndAssociations: ?q= finds by name through the API, counts what it
// found, keeps q in the next page's link, and refuses a search it would not bound.
func TestSearchUsersAndAssociations(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.login(adminEmail, adminPassword)
	for _, name := range []string{"Émilie", "Emil", "Bob"} {
		s.request("POST", "/api/users", "", map[string]any{"firstname": name, "lastname": "Test", "age": 30,
			"email": strings.ToLower(name[len(name)-3:]) + "@example.org", "password": "password123"}).want(t, 201)
	}
	var found []asso.User
	r := s.request("GET", "/api/users?q=EMIL&limit=1", admin, nil).want(t, 200)
	r.decode(t, &found)
	if len(found) != 1 || found[0].Firstname != "Émilie" || r.header.Get("X-Total-Count") != "2" ||
		!strings.Contains(r.header.Get("Link"), "q=EMIL") {
		t.Errorf("q=EMIL: %+v, total %q, link %q", found, r.header.Get("X-Total-Count"), r.header.Get("Link"))
	}
	s.createAssociation(admin, "Club d'Échecs")
	var clubs []asso.Association
	s.request("GET", "/api/associations?q=echecs+club", admin, nil).want(t, 200).decode(t, &clubs)
	if len(clubs) != 1 || clubs[0].Name != "Club d'Échecs" {
		t.Errorf("q=echecs club: %+v", clubs)
	}
	for _, q := range []string{"a+b+c+d+e+f", strings.Repeat("x", 101), "bob%00"} {
		s.request("GET", "/api/users?q="+q, admin, nil).want(t, 400)
		s.request("GET", "/api/associations?q="+q, admin, nil).want(t, 400)
	}
}

func TestGetUserWithAssociationsAndRoles(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, token := s.member("ada@example.org")
	bob, _ := s.signUp("bob@example.org", "password123")
	// The association routes come with the API issue: arrange the rows directly.
	s.exec(`INSERT INTO associations (name) VALUES ('Chess club'), ('Choir'), ('Alone')`)
	s.exec(`INSERT INTO memberships (association_id, user_id) VALUES (1, $1), (1, $2), (2, $1), (3, $2)`, ada.ID, bob.ID)
	s.exec(`INSERT INTO roles (association_id, user_id, name) VALUES (1, $1, 'President'), (2, $1, 'Tenor')`, ada.ID)

	var got asso.UserWithAssociations
	s.request("GET", "/api/users/"+itoa(ada.ID), token, nil).want(t, 200).decode(t, &got)
	if got.User != ada || len(got.Associations) != 2 {
		t.Fatalf("got %+v", got)
	}
	chess, choir := got.Associations[0], got.Associations[1]
	if chess.Name != "Chess club" || len(chess.Users) != 2 || chess.Users[0].ID != ada.ID || chess.Users[1] != bob {
		t.Errorf("chess club = %+v", chess)
	}
	if choir.Name != "Choir" || len(choir.Users) != 1 {
		t.Errorf("choir = %+v", choir)
	}
	var loner asso.UserWithAssociations
	s.request("GET", "/api/users/1", token, nil).want(t, 200).decode(t, &loner)
	if loner.Associations == nil || len(loner.Associations) != 0 || loner.Firstname != "admin" {
		t.Errorf("admin = %+v (associations must be [], not null)", loner)
	}

	var roles []asso.Role
	s.request("GET", "/api/users/"+itoa(ada.ID)+"/roles", token, nil).want(t, 200).decode(t, &roles)
	want := []asso.Role{{Name: "President", UserID: ada.ID, AssociationID: 1}, {Name: "Tenor", UserID: ada.ID, AssociationID: 2}}
	if fmt.Sprint(roles) != fmt.Sprint(want) {
		t.Errorf("roles = %v, want %v", roles, want)
	}
	r := s.request("GET", "/api/users/"+itoa(bob.ID)+"/roles", token, nil).want(t, 200)
	if string(r.body) != "[]" {
		t.Errorf("no roles: %s", r.body)
	}

	for _, path := range []string{"/api/users/9999", "/api/users/9999/roles"} {
		if m := s.request("GET", path, token, nil).want(t, 404).message(t); m != "user not found" {
			t.Errorf("%s: message %q", path, m)
		}
	}
	for _, id := range []string{"1abc", "0", "-1", "abc", "1.0", "99999999999999999999", "%201"} {
		r := s.request("GET", "/api/users/"+id, token, nil).want(t, 400)
		if m := r.message(t); m != "id must be a positive integer" {
			t.Errorf("%s: message %q", id, m)
		}
		s.request("GET", "/api/users/"+id+"/roles", token, nil).want(t, 400)
		s.request("PUT", "/api/users/"+id, token, map[string]any{}).want(t, 400)
		s.request("DELETE", "/api/users/"+id, token, nil).want(t, 400)
	}
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob, bobToken := s.member("bob@example.org")
	admin := s.login(adminEmail, adminPassword)

	var u asso.User
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{
		"firstname": "Augusta", "age": "37", "isAdmin": true,
	}).want(t, 200).decode(t, &u)
	if u.Firstname != "Augusta" || u.Lastname != "Lovelace" || u.Age != 37 || u.IsAdmin || u.Email != ada.Email {
		t.Errorf("updated = %+v", u)
	}
	// Changing one's password takes the current one; a stolen token alone cannot.
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{"password": "new password!"}).want(t, 400)
	r := s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{
		"password": "new password!", "currentPassword": "wrong guess"}).want(t, 403)
	if m := r.message(t); m != "currentPassword is incorrect" || !strings.Contains(string(r.body), `"code":"wrong_password"`) {
		t.Errorf("wrong current password: %s", r.body)
	}
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{
		"password": " new password! ", "currentPassword": "password123"}).want(t, 200)
	// The new password works exactly as typed (spaces included), the old one no
	// longer does, and every token issued before the change is refused.
	s.request("POST", "/api/auth/login", "", map[string]string{"username": ada.Email, "password": "password123"}).want(t, 401)
	s.request("POST", "/api/auth/login", "", map[string]string{"username": ada.Email, "password": "new password!"}).want(t, 401)
	s.request("GET", "/api/users/"+itoa(ada.ID), adaToken, nil).want(t, 401)
	adaToken = s.login(ada.Email, " new password! ")
	// A new e-mail must be free, whatever its case, and needs the password too.
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{
		"email": "BOB@example.org", "currentPassword": " new password! "}).want(t, 409)
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{"email": "ada@lovelace.org"}).want(t, 400)
	// The same address in another case is no change, and needs no password.
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{"email": "ADA@example.org", "age": 37}).want(t, 200)
	// A new address applies only once the link mailed to it is opened.
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{
		"email": "ada@lovelace.org", "currentPassword": " new password! "}).want(t, 200).decode(t, &u)
	if u.Email != ada.Email {
		t.Errorf("email = %q before the new address is confirmed", u.Email)
	}
	s.login(ada.Email, " new password! ")
	s.request("GET", "/api/users/"+itoa(ada.ID), adaToken, nil).want(t, 200)
	confirm := s.mailedToken("ada@lovelace.org")
	s.request("POST", "/api/verification", "", map[string]string{"token": confirm}).want(t, 201).decode(t, &u)
	if u.Email != "ada@lovelace.org" {
		t.Errorf("email = %q after confirming", u.Email)
	}
	s.request("GET", "/api/users/"+itoa(ada.ID), adaToken, nil).want(t, 401) // the change revoked it
	s.request("POST", "/api/auth/login", "", map[string]string{"username": ada.Email, "password": " new password! "}).want(t, 401)
	adaToken = s.login("ada@lovelace.org", " new password! ")
	s.request("POST", "/api/verification", "", map[string]string{"token": confirm}).want(t, 404)
	// Only oneself or the admin.
	r = s.request("PUT", "/api/users/"+itoa(ada.ID), bobToken, map[string]any{"firstname": "Mallory"}).want(t, 403)
	if m := r.message(t); m != "you can only change your own account" {
		t.Errorf("message %q", m)
	}
	// The admin needs no password of theirs to change someone else's.
	s.request("PUT", "/api/users/"+itoa(bob.ID), admin, map[string]any{"lastname": "Builder", "password": "reset by admin"}).want(t, 200).decode(t, &u)
	if u.Lastname != "Builder" {
		t.Errorf("admin update = %+v", u)
	}
	s.request("PUT", "/api/users/9999", admin, map[string]any{"lastname": "X"}).want(t, 404)
	s.request("PUT", "/api/users/"+itoa(ada.ID), "", map[string]any{"lastname": "X"}).want(t, 401)
	// Validation, all problems at once.
	r = s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, map[string]any{
		"firstname": "", "age": 200, "email": "nope", "password": "short",
	}).want(t, 400)
	if m := r.message(t); m != "firstname should not be empty | age must not be greater than 150 | email must be an email | password must be longer than or equal to 8 characters" {
		t.Errorf("message %q", m)
	}
	s.request("PUT", "/api/users/"+itoa(ada.ID), adaToken, `{"age":`).want(t, 400)
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob, bobToken := s.member("bob@example.org")
	admin := s.login(adminEmail, adminPassword)
	s.exec(`INSERT INTO associations (name) VALUES ('Chess club')`)
	s.exec(`INSERT INTO memberships (association_id, user_id) VALUES (1, $1), (1, $2)`, ada.ID, bob.ID)
	s.exec(`INSERT INTO roles (association_id, user_id, name) VALUES (1, $1, 'President')`, ada.ID)
	s.exec(`INSERT INTO minutes (association_id, content, date) VALUES (1, 'AGM', now())`)
	s.exec(`INSERT INTO minute_voters (minute_id, user_id) VALUES (1, $1), (1, $2)`, ada.ID, bob.ID)

	r := s.request("DELETE", "/api/users/"+itoa(bob.ID), adaToken, nil).want(t, 403)
	if m := r.message(t); m != "you can only delete your own account" {
		t.Errorf("message %q", m)
	}
	var u asso.User
	s.request("DELETE", "/api/users/"+itoa(ada.ID), adaToken, nil).want(t, 200).decode(t, &u)
	if u != ada {
		t.Errorf("deleted %+v, want %+v", u, ada)
	}
	for table, n := range map[string]int{
		"users WHERE id = $1": 0, "memberships WHERE user_id = $1": 0, "roles WHERE user_id = $1": 0,
		"minute_voters WHERE user_id = $1": 0, "verification_tokens WHERE user_id = $1": 0,
	} {
		if got := s.count(`SELECT count(*) FROM `+table, ada.ID); got != n {
			t.Errorf("%s: %d rows left", table, got)
		}
	}
	if got := s.count(`SELECT count(*) FROM minute_voters WHERE user_id = $1`, bob.ID); got != 1 {
		t.Errorf("bob's vote went too (%d left)", got)
	}
	// The deleted user's token no longer works, and they cannot sign in.
	s.request("GET", "/api/users", adaToken, nil).want(t, 401)
	s.request("POST", "/api/auth/login", "", map[string]string{"username": ada.Email, "password": "password123"}).want(t, 401)

	// The admin deletes others, not themselves.
	if m := s.request("DELETE", "/api/users/1", admin, nil).want(t, 400).message(t); m != "You cannot delete yourself" {
		t.Errorf("message %q", m)
	}
	s.request("DELETE", "/api/users/9999", admin, nil).want(t, 404)
	s.request("DELETE", "/api/users/"+itoa(bob.ID), admin, nil).want(t, 200)
	s.request("GET", "/api/users/"+itoa(bob.ID), admin, nil).want(t, 404)
	s.request("DELETE", "/api/users/"+itoa(bob.ID), bobToken, nil).want(t, 401)
	s.request("DELETE", "/api/users/1", "", nil).want(t, 401)
	if got := s.count(`SELECT count(*) FROM memberships`); got != 0 {
		t.Errorf("%d memberships left", got)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.request("GET", "/api/nope", "", nil).want(t, 404)
	if m := r.message(t); m != "Cannot GET /api/nope" {
		t.Errorf("message %q", m)
	}
	s.request("GET", "/api/", "", nil).want(t, 404) // "/" is the web app
	s.request("GET", "/api/users/", "", nil).want(t, 404)
	r = s.request("PATCH", "/api/users/1", "", nil).want(t, 405)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "PUT") || !strings.Contains(allow, "DELETE") || !strings.Contains(allow, "GET") {
		t.Errorf("Allow %q", allow)
	}
	r = s.request("DELETE", "/api/auth/login", "", nil).want(t, 405)
	if r.header.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	r := s.request("OPTIONS", "/api/users", "", nil,
		"Origin", webOrigin, "Access-Control-Request-Method", "POST").want(t, 204)
	if r.header.Get("Access-Control-Allow-Origin") != webOrigin ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Content-Type") ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight headers %v", r.header)
	}
	s.request("OPTIONS", "/api/users", "", nil,
		"Origin", "https://evil.example", "Access-Control-Request-Method", "POST").want(t, 403)

	r = s.request("GET", "/api", "", nil, "Origin", webOrigin).want(t, 200)
	if r.header.Get("Access-Control-Allow-Origin") != webOrigin || r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("allowed origin: %v", r.header)
	}
	r = s.request("GET", "/api", "", nil, "Origin", "https://evil.example").want(t, 200)
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("other origin allowed: %q", got)
	}
}

func TestRequestIDComesFromTheGateway(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	a := s.request("GET", "/api", "", nil, "X-Request-Id", "client-chosen")
	b := s.request("GET", "/api", "", nil)
	if a.header.Get("X-Request-Id") == "client-chosen" || a.header.Get("X-Request-Id") == b.header.Get("X-Request-Id") {
		t.Errorf("request ids %q and %q", a.header.Get("X-Request-Id"), b.header.Get("X-Request-Id"))
	}
}

package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestEventPlaceDescriptionCapacity: an event's place, description and capacity are
// optional and bounded; absent, they are unchanged; null (or a blank text) says the
// event has none; a bad one is a 400 that names it.
func TestEventPlaceDescriptionCapacity(t *testing.T) {
	const times = `"name":"Tournament","start":"2030-05-01T08:00:00Z","end":"2030-05-01T18:00:00Z","association":1`
	type fields struct {
		place, description *string
		capacity           *int
	}
	text := func(s string) *string { return &s }
	number := func(n int) *int { return &n }
	for _, tc := range []struct {
		body     string
		want     fields
		problems []string
	}{
		{`{}`, fields{}, nil},
		{`{"place":"  Town hall  ","description":"Bring a board.\r\nAnd a clock.\t","capacity":12}`,
			fields{text("Town hall"), text("Bring a board.\nAnd a clock."), number(12)}, nil},
		{`{"capacity":"30"}`, fields{capacity: number(30)}, nil},
		{`{"place":null,"description":null,"capacity":null}`, fields{text(""), text(""), number(0)}, nil},
		{`{"place":"","description":"  "}`, fields{place: text(""), description: text("")}, nil},
		{`{"place":"` + strings.Repeat("é", 200) + `","description":"` + strings.Repeat("é", 5000) + `","capacity":100000}`,
			fields{text(strings.Repeat("é", 200)), text(strings.Repeat("é", 5000)), number(100000)}, nil},
		{`{"place":"` + strings.Repeat("a", 201) + `","description":"` + strings.Repeat("a", 5001) + `","capacity":100001}`, fields{},
			[]string{"place must be shorter than or equal to 200 characters",
				"description must be shorter than or equal to 5000 characters", "capacity must not be greater than 100000"}},
		{`{"place":"Town\nhall","description":"a\u0000b","capacity":0}`, fields{},
			[]string{"place must not contain control characters", "description must not contain control characters",
				"capacity must not be less than 1"}},
		{`{"place":12,"description":["x"],"capacity":-3}`, fields{},
			[]string{"place must be a string", "description must be a string", "capacity must be a non-negative integer"}},
		{`{"capacity":2.5}`, fields{}, []string{"capacity must be a non-negative integer"}},
	} {
		for _, create := range []bool{true, false} {
			body := tc.body
			if create { // what a new event needs, then the case's fields
				rest := strings.TrimPrefix(tc.body, "{")
				if rest != "}" {
					rest = "," + rest
				}
				body = "{" + times + rest
			}
			f, err := readForm(nil, jsonRequest(strings.NewReader(body)))
			if err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			in, err := parseEvent(f, create)
			var e *asso.Error
			if tc.problems != nil {
				if e, _ = err.(*asso.Error); e == nil || e.Code != asso.EINVALID || !slices.Equal(e.Messages, tc.problems) {
					t.Errorf("%s: %v, want %q", body, err, tc.problems)
				}
				continue
			}
			got := fields{in.Place, in.Description, in.Capacity}
			if err != nil || !equalPtr(got.place, tc.want.place) || !equalPtr(got.description, tc.want.description) ||
				!equalPtr(got.capacity, tc.want.capacity) {
				gotJSON, _ := json.Marshal([]any{got.place, got.description, got.capacity})
				t.Errorf("%s: %s, %v", body, gotJSON, err)
			}
		}
	}
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

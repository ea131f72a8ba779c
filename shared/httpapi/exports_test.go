package httpapi

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/postgres"
)

// TestCSVRecordsReadBackAsWritten: RFC 4180 quoting, every cell quoted so that no
// part of one is read as a cell of its own whatever the separator a spreadsheet splits
// on, and no cell a spreadsheet would run as a formula.
func TestCSVRecordsReadBackAsWritten(t *testing.T) {
	cells := []string{`Durand, "Bob"`, "two\nlines", "=HYPERLINK(\"x\")", "+33 6", "-1", "@SUM(A1)", "\tx", "plain", "", "é-=+",
		"Durand;=cmd|' /C calc'!A0;", "a,=1+1"}
	want := []string{`Durand, "Bob"`, "two\nlines", "'=HYPERLINK(\"x\")", "'+33 6", "'-1", "'@SUM(A1)", "'\tx", "plain", "", "é-=+",
		"Durand;=cmd|' /C calc'!A0;", "a,=1+1"}
	for _, separator := range []byte{',', ';'} {
		line := csvRecord(separator, cells)
		if !bytes.HasSuffix(line, []byte("\r\n")) || !bytes.Contains(line, []byte(`"two`+"\r\n"+`lines"`)) {
			t.Errorf("%q: not CRLF throughout", line)
		}
		r := csv.NewReader(bytes.NewReader(line))
		r.Comma = rune(separator)
		got, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		// A line break in a cell is written as CRLF, as the lines are, and read back as \n.
		if !slices.Equal(got, want) {
			t.Errorf("separated by %q, read back %q\nwant       %q", separator, got, want)
		}
		// Read with the other separator, as spreadsheet software set otherwise would, no
		// cell starts with a formula.
		other := csv.NewReader(bytes.NewReader(line))
		other.Comma = map[byte]rune{',': ';', ';': ','}[separator]
		other.LazyQuotes = true
		split, _ := other.Read()
		for _, cell := range split {
			if strings.HasPrefix(strings.TrimLeft(cell, `"`), "=") {
				t.Errorf("separated by %q and read on %q, a cell starts a formula: %q", separator, other.Comma, cell)
			}
		}
	}
}

// TestMarkdownTextShowsAsTyped: nothing a person typed becomes markup.
func TestMarkdownTextShowsAsTyped(t *testing.T) {
	for in, want := range map[string]string{
		"Budget: 100 €, approved.":          "Budget: 100 €, approved.",
		"# Not a title":                     `\# Not a title`,
		"<script>alert(1)</script>":         `\<script\>alert(1)\</script\>`,
		"[click](javascript:x) *bold* _it_": `\[click\](javascript:x) \*bold\* \_it\_`,
		"line one\nline two":                "line one  \nline two",
		"para\r\n\r\n- item\n  1. first":    "para\n\n\\- item  \n1\\. first",
		"a `b` ~c~ | d & e \\":              "a \\`b\\` \\~c\\~ \\| d \\& e \\\\",
		"Title\n===":                        "Title  \n\\===",
		"    code?":                         "code?",
	} {
		if got := markdownText(in); got != want {
			t.Errorf("markdownText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAttachmentNames(t *testing.T) {
	for name, want := range map[string]string{
		"members-Chess club":                  `attachment; filename="members-Chess-club.csv"; filename*=UTF-8''members-Chess-club.csv`,
		"members-Échecs & Go !":               `attachment; filename="members-Echecs-Go.csv"; filename*=UTF-8''members-%C3%89checs-Go.csv`,
		"members-e\u0301te\u0301":             `attachment; filename="members-ete.csv"; filename*=UTF-8''members-%C3%A9t%C3%A9.csv`,
		`members-a"b/c\d;e,f`:                 `attachment; filename="members-a-b-c-d-e-f.csv"; filename*=UTF-8''members-a-b-c-d-e-f.csv`,
		"members-日本":                          `attachment; filename="members.csv"; filename*=UTF-8''members-%E6%97%A5%E6%9C%AC.csv`,
		"members-" + strings.Repeat("a", 200): `attachment; filename="members-` + strings.Repeat("a", 72) + `.csv"; filename*=UTF-8''members-` + strings.Repeat("a", 72) + ".csv",
	} {
		if got := attachment(name, "csv"); got != want {
			t.Errorf("attachment(%q) = %s\nwant %s", name, got, want)
		}
	}
}

// TestFilesAreCutAfterWholeParts: a file holds the parts that fit in the budget, at
// least one.
func TestFilesAreCutAfterWholeParts(t *testing.T) {
	f := csvFile(catalogue.For("en", ""), "members-x", []string{"email"}, [][]string{{"1111"}, {"2222"}, {"3333"}})
	head := len("\uFEFF\"E-mail\"\r\n")
	for budget, want := range map[int]int{0: 1, head + 8: 1, head + 16: 2, head + 23: 2, head + 24: 3, 1 << 20: 3} {
		body, count := f.cut(budget)
		if count != want || len(body) != head+8*count {
			t.Errorf("budget %d: %d rows in %d bytes, want %d rows", budget, count, len(body), want)
		}
	}
}

// TestMinutesDocument: the minutes in the reader's language, their days as the
// language writes them, a minute with a time in the reader's zone.
func TestMinutesDocument(t *testing.T) {
	export := postgres.Export[postgres.ExportedMinute]{Name: "Chess *club*", Rows: []postgres.ExportedMinute{
		{Date: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), Content: "Opened.", Voters: []string{"Ada Lovelace", "Bob_Marley"}},
		{Date: time.Date(2024, 3, 11, 14, 30, 0, 0, time.UTC), Content: "Closed."},
	}}
	for _, tc := range []struct{ locale, zone, want string }{
		{"en", "UTC", "# Minutes of Chess \\*club\\*\n" +
			"\n## March 10, 2024\n\nOpened.\n\nVoters: Ada Lovelace, Bob\\_Marley.\n" +
			"\n## Monday, March 11, 2024 at 2:30 pm (UTC)\n\nClosed.\n\nVoters: none recorded.\n"},
		{"fr", "Europe/Paris", "# Comptes rendus de Chess \\*club\\*\n" +
			"\n## 10 mars 2024\n\nOpened.\n\nVotants\u00a0: Ada Lovelace, Bob\\_Marley.\n" +
			"\n## lundi 11 mars 2024 à 15:30 (Europe/Paris)\n\nClosed.\n\nVotants\u00a0: aucun enregistré.\n"},
	} {
		body, _ := minutesFile(export, catalogue.For(tc.locale, tc.zone)).cut(1 << 20)
		if string(body) != tc.want {
			t.Errorf("the minutes in %s:\n%s\nwant\n%s", tc.locale, body, tc.want)
		}
	}
}

// TestTranslationsAgree: every message the API writes exists in each language, with
// the same arguments.
func TestTranslationsAgree(t *testing.T) {
	for _, problem := range catalogue.Problems() {
		t.Error(problem)
	}
}

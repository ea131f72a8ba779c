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

// TestCSVRecordsReadBackAsWritten: RFC 4180 quoting, and no cell a spreadsheet would
// run as a formula.
func TestCSVRecordsReadBackAsWritten(t *testing.T) {
	cells := []string{`Durand, "Bob"`, "two\nlines", "=HYPERLINK(\"x\")", "+33 6", "-1", "@SUM(A1)", "\tx", "plain", "", "é-=+"}
	want := []string{`Durand, "Bob"`, "two\nlines", "'=HYPERLINK(\"x\")", "'+33 6", "'-1", "'@SUM(A1)", "'\tx", "plain", "", "é-=+"}
	line := csvRecord(cells)
	if !bytes.HasSuffix(line, []byte("\r\n")) || !bytes.Contains(line, []byte(`"two`+"\r\n"+`lines"`)) {
		t.Errorf("%q: not CRLF throughout", line)
	}
	got, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		t.Fatal(err)
	}
	// A line break in a cell is written as CRLF, as the lines are, and read back as \n.
	if !slices.Equal(got, want) {
		t.Errorf("read back %q\nwant       %q", got, want)
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
		"members-Échecs & Go !":               `attachment; filename="members-checs-Go.csv"; filename*=UTF-8''members-%C3%89checs-Go.csv`,
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
	f := csvFile("members-x", []string{"a"}, [][]string{{"1111"}, {"2222"}, {"3333"}})
	head := len("\uFEFFa\r\n")
	for budget, want := range map[int]int{0: 1, head + 6: 1, head + 12: 2, head + 17: 2, head + 18: 3, 1 << 20: 3} {
		body, count := f.cut(budget)
		if count != want || len(body) != head+6*count {
			t.Errorf("budget %d: %d rows in %d bytes, want %d rows", budget, count, len(body), want)
		}
	}
	doc := minutesFile(postgres.Export[postgres.ExportedMinute]{Name: "Chess *club*", Rows: []postgres.ExportedMinute{
		{Date: time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC), Content: "Opened.", Voters: []string{"Ada Lovelace", "Bob_Marley"}},
		{Date: time.Date(2024, 3, 11, 14, 30, 0, 0, time.UTC), Content: "Closed."},
	}})
	body, _ := doc.cut(1 << 20)
	want := "# Minutes of Chess \\*club\\*\n" +
		"\n## 2024-03-10\n\nOpened.\n\nVoters: Ada Lovelace, Bob\\_Marley.\n" +
		"\n## 2024-03-11 14:30 UTC\n\nClosed.\n\nVoters: none recorded.\n"
	if string(body) != want {
		t.Errorf("the minutes:\n%s\nwant\n%s", body, want)
	}
}

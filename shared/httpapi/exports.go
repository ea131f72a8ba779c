package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/i18n"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Exports (docs/api.md §4, *Exports*): files for the managers of an association, to
// hand to its board or its treasurer. Each is paged like a list (limit, offset,
// X-Total-Count, a Link to the next page), its limit defaulting to the largest, and
// cut at the byte budget of every answer; a page that is cut short ends after a
// whole row or section.

// exportMembers sends an association's members and people invited as CSV.
func (s *Server) exportMembers(w http.ResponseWriter, r *http.Request) error {
	return sendExport(w, r, s.DB.Limits.ResponseBytes, s.DB.ExportMembers, membersFile)
}

// exportAttendance sends the answers of an event's members as CSV.
func (s *Server) exportAttendance(w http.ResponseWriter, r *http.Request) error {
	return sendExport(w, r, s.DB.Limits.ResponseBytes, s.DB.ExportAttendance, attendanceFile)
}

// exportMinutes sends an association's minutes as a Markdown document.
func (s *Server) exportMinutes(w http.ResponseWriter, r *http.Request) error {
	return sendExport(w, r, s.DB.Limits.ResponseBytes, s.DB.ExportMinutes, minutesFile)
}

// sendExport reads the path's {id} and the page, reads the export's rows, and sends
// them as file makes them, with as many rows as fit in budget bytes, as an attachment.
func sendExport[R any](w http.ResponseWriter, r *http.Request, budget int,
	read func(context.Context, asso.User, int64, asso.Page) (postgres.Export[R], error),
	file func(postgres.Export[R], i18n.Reader) exportFile) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// An export is wanted whole: its pages are as long as the API's pages may be.
	p, err := pageWithLimit(r, maxLimit)
	if err != nil {
		return err
	}
	me := caller(r)
	export, err := read(r.Context(), me, id, p)
	if err != nil {
		return err
	}
	f := file(export, catalogue.For(me.Locale, me.TimeZone))
	body, count := f.cut(budget)
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Content-Disposition", attachment(f.name, f.ext))
	w.Header().Set("X-Total-Count", strconv.Itoa(export.Total))
	setNextLink(w, r, p, asso.Listed{Total: export.Total, Count: count})
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return nil
}

// exportFile is an export's file before it is cut to the budget: its head (a CSV
// file's header row, a document's title), then its parts (rows, sections), each whole.
type exportFile struct {
	name, ext   string // the file is called name.ext; name may hold any character
	contentType string
	head        []byte
	parts       [][]byte
}

// cut returns the file with as many of its parts as fit in budget bytes, at least
// one, and how many it holds.
func (f exportFile) cut(budget int) (body []byte, count int) {
	body = f.head
	for _, part := range f.parts {
		if count > 0 && len(body)+len(part) > budget {
			break
		}
		body = append(body, part...)
		count++
	}
	return body, count
}

// The columns of the CSV files, as the message keys of their titles.
var (
	memberColumns     = []string{"firstname", "lastname", "email", "role", "status", "manager", "joinedAt"}
	attendanceColumns = []string{"firstname", "lastname", "email", "answer", "answeredAt"}
)

// membersFile is an association's members as CSV, in the reader's language.
func membersFile(e postgres.Export[postgres.ExportedMember], rd i18n.Reader) exportFile {
	rows := make([][]string, len(e.Rows))
	for i, m := range e.Rows {
		role := m.Role
		if role == "" {
			role = rd.T("role.none")
		}
		rows[i] = []string{m.Firstname, m.Lastname, m.Email, role, rd.T("status." + m.Status), yesNo(rd, m.Manager), csvTime(m.JoinedAt)}
	}
	return csvFile(rd, rd.T("export.members")+"-"+e.Name, memberColumns, rows)
}

// attendanceFile is an event's answers as CSV, in the reader's language.
func attendanceFile(e postgres.Export[postgres.ExportedAnswer], rd i18n.Reader) exportFile {
	rows := make([][]string, len(e.Rows))
	for i, a := range e.Rows {
		rows[i] = []string{a.Firstname, a.Lastname, a.Email, rd.T("answer." + a.Answer), csvTime(a.AnsweredAt)}
	}
	return csvFile(rd, rd.T("export.attendance")+"-"+e.Name, attendanceColumns, rows)
}

func yesNo(rd i18n.Reader, b bool) string {
	if b {
		return rd.T("yes")
	}
	return rd.T("no")
}

// csvTime writes a time as the API does (RFC 3339, UTC), and no time as an empty cell.
func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// csvFile is a CSV file (RFC 4180: CRLF, every cell quoted, quotes doubled) in UTF-8,
// opened with a byte order mark, without which spreadsheet software reads UTF-8 as
// another encoding and mangles every accent.
func csvFile(rd i18n.Reader, name string, columns []string, rows [][]string) exportFile {
	separator := csvSeparator(rd)
	titles := make([]string, len(columns))
	for i, c := range columns {
		titles[i] = rd.T("column." + c)
	}
	f := exportFile{name: name, ext: "csv", contentType: "text/csv; charset=utf-8",
		head: append([]byte("\uFEFF"), csvRecord(separator, titles)...)}
	for _, row := range rows {
		f.parts = append(f.parts, csvRecord(separator, row))
	}
	return f
}

// csvSeparator is the separator the reader's spreadsheet software expects: where the
// decimal separator is a comma, as in French, Excel opens a CSV file on semicolons.
func csvSeparator(rd i18n.Reader) byte {
	if rd.Lang == asso.LocaleFrench {
		return ';'
	}
	return ','
}

// csvRecord is one line of a CSV file, each cell made inert (inertCell) and quoted,
// whatever it holds: spreadsheet software set to split on the other separator (a
// semicolon for a comma, or the reverse) still reads each cell whole, so that no part
// of a cell can start a cell of its own (and a formula). Line breaks in a cell are
// CRLF, as the lines are.
func csvRecord(separator byte, cells []string) []byte {
	var b bytes.Buffer
	for i, cell := range cells {
		if i > 0 {
			b.WriteByte(separator)
		}
		cell = strings.ReplaceAll(strings.ReplaceAll(inertCell(cell), "\r\n", "\n"), "\n", "\r\n")
		b.WriteString(`"` + strings.ReplaceAll(cell, `"`, `""`) + `"`)
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// inertCell keeps a spreadsheet from running a cell as a formula (CSV injection): a
// cell that starts with = + - @, a tab or a carriage return gets a leading
// apostrophe, which spreadsheets show as text (OWASP's advice). Names, roles and
// addresses are anyone's text.
func inertCell(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// minutesFile is an association's minutes as a Markdown document: a section per
// minute, its date as the title, its content, and its voters.
func minutesFile(e postgres.Export[postgres.ExportedMinute], rd i18n.Reader) exportFile {
	f := exportFile{name: rd.T("export.minutes") + "-" + e.Name, ext: "md", contentType: "text/markdown; charset=utf-8",
		head: []byte("# " + rd.T("minutes.title", markdownText(e.Name)) + "\n")}
	for _, m := range e.Rows {
		voters := rd.T("minutes.noVoters")
		if len(m.Voters) > 0 {
			voters = markdownText(strings.Join(m.Voters, ", "))
		}
		f.parts = append(f.parts, fmt.Appendf(nil, "\n## %s\n\n%s\n\n%s\n", minuteDate(rd, m.Date), markdownText(m.Content),
			rd.T("minutes.voters", voters)))
	}
	return f
}

// minuteDate is a minute's date as its section's title: the day, as the web app
// records minutes (midnight UTC), or the day and time in the reader's zone.
func minuteDate(rd i18n.Reader, t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return rd.Day(t)
	}
	return rd.When(t)
}

// markdownInline escapes what Markdown reads as markup anywhere in a line: emphasis,
// code, links and images, HTML and autolinks, entities, GitHub's strikethrough and
// tables, and the hashes that open a heading or close one (a title that ends in "#").
var markdownInline = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "&", `\&`, "~", `\~`, "|", `\|`, "#", `\#`)

// listNumber is how an ordered list item starts.
var listNumber = regexp.MustCompile(`^[0-9]+[.)]`)

// markdownText writes text that people typed as plain text so that Markdown shows it
// as typed, and runs none of it as markup (a minute may hold "<script>" or a link
// of its own): inline markup is escaped, and so is what would start a list, a rule or
// an underline at the start of a line. Each line break stays one (a
// hard break), and the indentation of lines goes, as four spaces would start code.
func markdownText(s string) string {
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s), "\n")
	var b strings.Builder
	for i, line := range lines {
		line = markdownInline.Replace(strings.TrimLeft(line, " \t"))
		if line != "" && strings.ContainsRune("-+=", rune(line[0])) {
			line = `\` + line
		} else if n := listNumber.FindStringIndex(line); n != nil {
			line = line[:n[1]-1] + `\` + line[n[1]-1:]
		}
		if i > 0 {
			if lines[i-1] != "" && line != "" {
				b.WriteString("  ") // a hard break: a single line break would join the lines
			}
			b.WriteString("\n")
		}
		lines[i] = line
		b.WriteString(line)
	}
	return b.String()
}

// attachment is the Content-Disposition of a download called name.ext (RFC 6266): an
// ASCII filename any client reads, of name's ASCII letters and digits, and the name
// in UTF-8 (filename*, RFC 8187), which browsers prefer, of all its letters and
// digits. Whatever else name holds becomes a hyphen: no quote, slash or separator.
func attachment(name, ext string) string {
	ascii := filename(withoutAccents(name), func(r rune) bool { return r < utf8.RuneSelf }, ext)
	var encoded strings.Builder
	for _, c := range []byte(filename(norm.NFC.String(name), func(rune) bool { return true }, ext)) {
		if c < utf8.RuneSelf && (c == '-' || c == '.' || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))) {
			encoded.WriteByte(c)
		} else {
			fmt.Fprintf(&encoded, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + encoded.String()
}

// withoutAccents is s with the accents of its letters dropped ("Échecs": "Echecs"),
// for a name in ASCII.
func withoutAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxFilename bounds the name of a file before its extension, in characters.
const maxFilename = 80

// filename is name.ext, name made of its letters and digits that keep allows, each
// run of other characters a hyphen, and at most maxFilename characters.
func filename(name string, keep func(rune) bool, ext string) string {
	var b strings.Builder
	n, hyphen := 0, false
	for _, r := range name {
		if n == maxFilename {
			break
		}
		if (unicode.IsLetter(r) || unicode.IsDigit(r)) && keep(r) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			b.WriteRune(r)
			n++
			hyphen = false
		} else {
			hyphen = true
		}
	}
	return b.String() + "." + ext
}

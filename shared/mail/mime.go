package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kittenasso/kittenasso/shared/asso"

	"github.com/kittenasso/kittenasso/shared/calendar"
)

// BuildMIME encodes m as a raw RFC 5322 message for SES: multipart/mixed holding a
// multipart/alternative (text, and HTML when there is one) and the attachment.
// Header values are encoded (RFC 2047) after line breaks are folded away, and
// addresses must parse as single plain addresses, so no value can inject a header.
func BuildMIME(from string, m Message, date time.Time, messageID string) ([]byte, error) {
	for _, addr := range []string{from, m.To} {
		if !asso.IsPlainAddress(addr) {
			return nil, fmt.Errorf("%q is not a plain e-mail address", addr)
		}
	}

	// The text and HTML alternatives, built first to learn their boundary.
	var alternatives bytes.Buffer
	alt := multipart.NewWriter(&alternatives)
	if err := writeQP(alt, "text/plain; charset=utf-8", m.Text); err != nil {
		return nil, err
	}
	if m.HTML != "" {
		if err := writeQP(alt, "text/html; charset=utf-8", m.HTML); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	mixed := multipart.NewWriter(&buf)
	headers := [][2]string{
		{"From", from},
		{"To", m.To},
		{"Subject", encodeHeader(calendar.OneLine(m.Subject))},
		{"Date", date.UTC().Format(time.RFC1123Z)},
		{"Message-ID", "<" + calendar.OneLine(messageID) + ">"},
	}
	if m.Unsubscribe != "" {
		if !strings.HasPrefix(m.Unsubscribe, "https://") && !strings.HasPrefix(m.Unsubscribe, "http://") ||
			strings.ContainsAny(m.Unsubscribe, "<>\r\n \t") {
			return nil, fmt.Errorf("unsubscribe address %q is not a plain http(s) URL", m.Unsubscribe)
		}
		headers = append(headers,
			[2]string{"List-Unsubscribe", "<" + m.Unsubscribe + ">"},
			[2]string{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
	}
	headers = append(headers,
		[2]string{"MIME-Version", "1.0"},
		[2]string{"Content-Type", "multipart/mixed; boundary=" + mixed.Boundary()})
	for _, h := range headers {
		fmt.Fprintf(&buf, "%s: %s\r\n", h[0], h[1])
	}
	buf.WriteString("\r\n")

	part, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + alt.Boundary()}})
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(alternatives.Bytes()); err != nil {
		return nil, err
	}
	if a := m.Attachment; a != nil {
		part, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {a.ContentType},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": calendar.OneLine(a.Filename)})},
		})
		if err != nil {
			return nil, err
		}
		if err := writeBase64(part, a.Data); err != nil {
			return nil, err
		}
	}
	if err := mixed.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeQP adds a quoted-printable text part.
func writeQP(w *multipart.Writer, contentType, body string) error {
	part, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(part)
	if _, err := io.WriteString(qp, body); err != nil {
		return err
	}
	return qp.Close()
}

// writeBase64 writes data in base64 lines of 76 characters (RFC 2045).
func writeBase64(w io.Writer, data []byte) error {
	encoded := base64.StdEncoding.EncodeToString(data)
	for len(encoded) > 76 {
		if _, err := io.WriteString(w, encoded[:76]+"\r\n"); err != nil {
			return err
		}
		encoded = encoded[76:]
	}
	_, err := io.WriteString(w, encoded+"\r\n")
	return err
}

// encodeHeader returns s as a header value: as it is when it is printable ASCII that
// no decoder would mistake for an encoded word, else as RFC 2047 B-encoded words of at
// most 45 bytes (cut between runes) on folded lines. mime.QEncoding leaves an ASCII
// text such as "=?utf-8?q?x?=" alone, and readers would then decode it.
func encodeHeader(s string) string {
	plain := !strings.Contains(s, "=?")
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= 0x20 && s[i] < 0x7f
	}
	if plain && len(s) <= 900 {
		return s
	}
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}

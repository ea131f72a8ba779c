package mail

import (
	"html"
	"strings"
)

// The HTML parts are written out, not templated: html/template looks methods up by
// name, which keeps every exported method of the binary (the whole SES client) from
// being dropped by the linker, adding megabytes to the mailer. Every value shown goes
// through html.EscapeString.
//
// Mail clients ignore style sheets more often than not: styles are inline. The page
// sets no background, so that a client in dark mode keeps its own; the buttons carry
// both their colours, readable on either.

// link is a labelled address: a button, or a small link.
type link struct{ label, url string }

// htmlPage is the body of an HTML part, written block by block.
type htmlPage struct{ body strings.Builder }

// para writes a paragraph of text; its line breaks are kept.
func (p *htmlPage) para(text string) {
	p.body.WriteString(`<p style="white-space: pre-line">` + html.EscapeString(text) + "</p>\n")
}

// raw writes markup the caller has escaped.
func (p *htmlPage) raw(markup string) { p.body.WriteString(markup + "\n") }

// buttons writes links as buttons, large enough for a finger.
func (p *htmlPage) buttons(links ...link) {
	p.body.WriteString("<p>")
	for _, l := range links {
		p.body.WriteString(`<a href="` + html.EscapeString(l.url) + `" style="display: inline-block; margin: 0 .5em .5em 0; ` +
			`padding: .7em 1.2em; border-radius: .4em; background: #6b3fa0; color: #ffffff; text-decoration: none; font-weight: bold">` +
			html.EscapeString(l.label) + "</a>")
	}
	p.body.WriteString("</p>\n")
}

// facts writes labelled values, one per row.
func (p *htmlPage) facts(rows [][2]string) {
	p.body.WriteString(`<table role="presentation" style="border-collapse: collapse; margin: 1em 0">` + "\n")
	for _, r := range rows {
		p.body.WriteString(`<tr><th scope="row" style="text-align: left; vertical-align: top; padding: .2em 1em .2em 0; font-weight: normal; opacity: .7">` +
			html.EscapeString(r[0]) + `</th><td style="padding: .2em 0; white-space: pre-line">` + html.EscapeString(r[1]) + "</td></tr>\n")
	}
	p.body.WriteString("</table>\n")
}

// small writes a link in small print, such as the way to stop some e-mail.
func (p *htmlPage) small(l link) {
	p.body.WriteString(`<p style="font-size: .85em; opacity: .7"><a href="` + html.EscapeString(l.url) + `" style="color: inherit">` +
		html.EscapeString(l.label) + "</a></p>\n")
}

// document is the whole HTML part: its frame, in the reader's language, around the body.
func (p *htmlPage) document(rd reader, title string) string {
	return `<!DOCTYPE html>
<html lang="` + rd.lang + `"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>` + html.EscapeString(title) + `</title></head>
<body style="font-family: sans-serif; line-height: 1.4; max-width: 36em; margin: auto; padding: 1em">
<h1 style="font-size: 1.4em">🐱 KittenAsso's</h1>
` + p.body.String() + `<p style="opacity: .7">KittenAsso's<br>` + html.EscapeString(rd.t("footer.tagline")) + `</p>
</body></html>
`
}

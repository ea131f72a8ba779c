// Package mail renders the product's e-mails (docs/api.md §5): the verification
// e-mail, the invitation, update, cancellation and reminder of an event with its .ics,
// and the invitation to join an association.
package mail

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/calendar"
	"github.com/kittenasso/kittenasso/shared/i18n"
)

// Message is a rendered e-mail, before MIME encoding.
type Message struct {
	To         string
	Subject    string
	Text       string
	HTML       string // empty for text-only e-mails
	Attachment *Attachment
	// Unsubscribe, when set, is the RFC 8058 one-click address: a POST to it stops this
	// kind of mail. It becomes the List-Unsubscribe and List-Unsubscribe-Post headers.
	Unsubscribe string
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Renderer turns outbox rows into Messages.
type Renderer struct {
	From   string // the sender address, also the calendar ORGANIZER
	Domain string // the mail domain: Message-IDs and the events' UIDs
	// WebURL is the web app's address (FRONTEND_URL): the API is under WebURL/api,
	// and the page that confirms an unsubscribe is WebURL/unsubscribe.
	WebURL string
	Now    func() time.Time
}

// VerificationSubject is the verification e-mail's subject (docs/api.md §5).
const VerificationSubject = "❤️ A big welcome from KittenAsso's"

// Render renders an outbox row of kind for recipient. An error means the row can
// never be rendered (a permanent failure).
func (r Renderer) Render(kind, recipient string, payload []byte) (Message, error) {
	switch kind {
	case asso.MailVerification:
		var p asso.VerificationEmail
		if err := json.Unmarshal(payload, &p); err != nil {
			return Message{}, fmt.Errorf("verification payload: %w", err)
		}
		return r.verification(recipient, p)
	case asso.MailInvitation, asso.MailUpdate, asso.MailCancellation, asso.MailReminder, asso.MailPromotion:
		var p asso.EventEmail
		if err := json.Unmarshal(payload, &p); err != nil {
			return Message{}, fmt.Errorf("event payload: %w", err)
		}
		return r.event(kind, recipient, p)
	case asso.MailJoin:
		var p asso.JoinEmail
		if err := json.Unmarshal(payload, &p); err != nil {
			return Message{}, fmt.Errorf("join payload: %w", err)
		}
		return r.join(recipient, p)
	}
	return Message{}, fmt.Errorf("unknown e-mail kind %q", kind)
}

func (r Renderer) verification(to string, p asso.VerificationEmail) (Message, error) {
	if !strings.HasPrefix(p.Link, "https://") && !strings.HasPrefix(p.Link, "http://") {
		return Message{}, fmt.Errorf("verification link %q is not an http(s) URL", p.Link)
	}
	rd := readerFor(p.Reader)
	hi := rd.T("verify.hi", calendar.OneLine(p.Firstname)+" "+calendar.OneLine(p.Lastname))
	lasts := rd.T("verify.lasts", int(asso.VerificationLifetime.Hours())) + " " + rd.T("verify.kitten")
	text := hi + "\n\n" + rd.T("verify.link") + "\n" + p.Link + "\n\n" + lasts + "\n" + rd.T("verify.fun") + "\n\n" + signature(rd)
	var page htmlPage
	page.para(hi)
	page.para(rd.T("verify.link"))
	page.buttons(link{rd.T("verify.button"), p.Link})
	page.raw(`<p style="word-break: break-all"><a href="` + html.EscapeString(p.Link) + `">` + html.EscapeString(p.Link) + `</a></p>`)
	page.para(lasts)
	page.para(rd.T("verify.fun"))
	return Message{To: to, Subject: rd.T("verify.subject"), Text: text, HTML: page.document(rd, rd.T("verify.title"))}, nil
}

// signature ends every text part.
func signature(rd i18n.Reader) string { return "KittenAsso's - " + rd.T("footer.tagline") + "\n" }

// event renders an invitation, update, cancellation, reminder or promotion: the text
// and HTML parts in the reader's language, with the dates in their time zone, and the
// .ics, whose times are UTC whatever the reader.
func (r Renderer) event(kind, to string, p asso.EventEmail) (Message, error) {
	start, err := time.Parse(time.RFC3339, p.Start)
	if err != nil {
		return Message{}, fmt.Errorf("event start: %w", err)
	}
	end, err := time.Parse(time.RFC3339, p.End)
	if err != nil {
		return Message{}, fmt.Errorf("event end: %w", err)
	}
	if !asso.IsUnsubscribeToken(p.Unsubscribe) {
		return Message{}, fmt.Errorf("event payload: unsubscribe token %q is not a UUID", p.Unsubscribe)
	}
	rd := readerFor(p.Reader)
	name, association := calendar.OneLine(p.Name), calendar.OneLine(p.AssociationName)
	cancelled := kind == asso.MailCancellation
	method := "REQUEST"
	if cancelled {
		method = "CANCEL"
	}
	facts := [][2]string{
		{rd.T("event.name"), name},
		{rd.T("event.start"), rd.When(start)},
		{rd.T("event.end"), rd.When(end)},
	}
	if p.Place != "" {
		facts = append(facts, [2]string{rd.T("event.place"), calendar.OneLine(p.Place)})
	}
	facts = append(facts, [2]string{rd.T("event.association"), association})
	var answers []link
	if !cancelled && asso.IsRSVPTokenShape(p.RSVP) {
		answer := r.WebURL + "/rsvp?t=" + p.RSVP + "&a="
		answers = []link{{rd.T("event.going"), answer + "going"}, {rd.T("event.notGoing"), answer + "not_going"}}
	}
	unsubscribe := r.WebURL + "/unsubscribe?t=" + p.Unsubscribe
	intro := rd.T("event.intro." + kind)

	text := intro + "\n\n"
	for _, f := range facts {
		text += rd.T("label", f[0], f[1]) + "\n"
	}
	text += "\n"
	var page htmlPage
	page.para(intro)
	page.facts(facts)
	if p.Description != "" {
		text += p.Description + "\n\n"
		page.para(p.Description)
	}
	switch {
	case cancelled && p.Going:
		text += rd.T("event.wasGoing") + "\n\n"
		page.para(rd.T("event.wasGoing"))
	case len(answers) > 0:
		// Someone who was waiting is coming already: the links are for a change of mind.
		ask := rd.T("event.ask")
		if kind == asso.MailPromotion {
			ask = rd.T("event.askAgain")
		}
		text += ask + "\n"
		for _, a := range answers {
			text += rd.T("label", a.label, a.url) + "\n"
		}
		text += "\n"
		page.para(ask)
		page.buttons(answers...)
	}
	text += rd.T("event.unsubscribe", association, unsubscribe) + "\n"
	page.small(link{rd.T("event.unsubscribeLink", association), unsubscribe})

	return Message{
		To:          to,
		Subject:     rd.T("event.subject."+kind, name, association),
		Text:        text,
		HTML:        page.document(rd, name),
		Unsubscribe: r.WebURL + "/api/unsubscribe/" + p.Unsubscribe,
		Attachment: &Attachment{
			Filename:    "event.ics",
			ContentType: "text/calendar; charset=utf-8; method=" + method,
			Data: calendar.Writer{Domain: r.Domain}.Invitation(calendar.Event{
				ID:        p.EventID,
				Sequence:  p.Sequence,
				Summary:   name,
				Start:     start,
				End:       end,
				Stamp:     r.Now(),
				Organizer: r.From,
				Attendee:  to,
				Cancelled: cancelled,
				Location:  p.Place,
				// The description says, in the reader's language, where the event comes from.
				Description: strings.TrimSpace(p.Description + "\n\n" + rd.T("event.calendar", association)),
			}),
		},
	}, nil
}

// join is the invitation to join an association: with accept and decline links for an
// account, with a link to sign up for an address that has none. Its links are its way
// out: declining can ask never to be invited there again.
func (r Renderer) join(to string, p asso.JoinEmail) (Message, error) {
	rd := readerFor(p.Reader)
	association := calendar.OneLine(p.AssociationName)
	inviter := calendar.OneLine(p.InviterFirstname + " " + p.InviterLastname)
	greeting := rd.T("join.hello")
	if p.Firstname != "" {
		greeting = rd.T("join.hi", calendar.OneLine(p.Firstname))
	}
	var links []link
	switch {
	case asso.IsInvitationTokenShape(p.Token):
		links = []link{
			{rd.T("join.accept", association), r.WebURL + "/invitation?t=" + p.Token + "&a=accept"},
			{rd.T("join.decline"), r.WebURL + "/invitation?t=" + p.Token + "&a=decline"},
		}
	case p.Token == "":
		links = []link{{rd.T("join.signUp"), r.WebURL + "/signup?email=" + url.QueryEscape(to)}}
	default:
		return Message{}, fmt.Errorf("join payload: token %q has not the shape of an invitation token", p.Token)
	}
	intro := rd.T("join.intro", inviter, association)
	consent := rd.T("join.consent") + " " + rd.T("join.lapses", int(asso.InvitationLifetime.Hours()/24))
	text := greeting + "\n\n" + intro + "\n\n"
	for _, l := range links {
		text += rd.T("label", l.label, l.url) + "\n"
	}
	text += "\n" + consent + "\n\n" + signature(rd)
	var page htmlPage
	page.para(greeting)
	page.para(intro)
	page.buttons(links...)
	page.para(consent)
	// To an address with no account, the subject holds nothing the inviter wrote.
	subject := rd.T("join.subject", inviter, association)
	if p.Token == "" {
		subject = rd.T("join.anonymous")
	}
	return Message{To: to, Subject: subject, Text: text, HTML: page.document(rd, rd.T("join.title"))}, nil
}

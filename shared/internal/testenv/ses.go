package testenv

import (
	"encoding/json"
	"net/http"
	"testing"
)

// SESEmail is an e-mail as the SES emulator's /store shows it.
type SESEmail struct {
	MessageID   string `json:"messageId"`
	Subject     string `json:"subject"`
	Destination struct {
		To []string `json:"to"`
	} `json:"destination"`
	Body struct {
		Text string `json:"text"`
		HTML string `json:"html"`
	} `json:"body"`
	Attachments []struct {
		Filename    string `json:"filename"`
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"attachments"`
}

// SESStore returns every e-mail the SES emulator at sesURL received, of every test.
func SESStore(t testing.TB, sesURL string) []SESEmail {
	t.Helper()
	resp, err := http.Get(sesURL + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []SESEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	return store.Emails
}

// SESInbox returns the e-mails the SES emulator at sesURL received for to.
func SESInbox(t testing.TB, sesURL, to string) []SESEmail {
	t.Helper()
	var mine []SESEmail
	for _, e := range SESStore(t, sesURL) {
		for _, d := range e.Destination.To {
			if d == to {
				mine = append(mine, e)
			}
		}
	}
	return mine
}

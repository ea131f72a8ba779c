// Package apiclient is what the benchmarks (cmd/bench) need of the API as clients.
package apiclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// SignIn signs in at base (http://host:port) and returns the access token.
func SignIn(c *http.Client, base, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": email, "password": password})
	resp, err := c.Post(base+"/api/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("sign in: status %d", resp.StatusCode)
	}
	return tok.AccessToken, nil
}

// Command invitations-link is the Lambda function behind POST /api/invitations/answer.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.InvitationsLink) }

// Command invitations-answer is the Lambda function behind PUT /api/invitations/{id}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.InvitationsAnswer) }

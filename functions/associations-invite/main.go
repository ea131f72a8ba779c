// Command associations-invite is the Lambda function behind POST /api/associations/{id}/invitations.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsInvite) }

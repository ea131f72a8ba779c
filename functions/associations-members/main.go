// Command associations-members is the Lambda function behind GET /api/associations/{id}/members.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsMembers) }

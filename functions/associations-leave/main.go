// Command associations-leave is the Lambda function behind DELETE /api/associations/{id}/membership.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsLeave) }

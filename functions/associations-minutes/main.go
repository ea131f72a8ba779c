// Command associations-minutes is the Lambda function behind GET /api/associations/{id}/minutes.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsMinutes) }

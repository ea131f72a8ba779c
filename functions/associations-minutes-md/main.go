// Command associations-minutes-md is the Lambda function behind GET /api/associations/{id}/minutes.md.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsMinutesMD) }

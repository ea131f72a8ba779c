// Command events-update is the Lambda function behind PATCH /api/events/{id}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.EventsUpdate) }

// Command events-attendees is the Lambda function behind GET /api/attendance/{id}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.EventsAttendees) }

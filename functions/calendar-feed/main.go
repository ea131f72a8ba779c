// Command calendar-feed is the Lambda function behind GET /api/calendar/{token}.ics.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.CalendarFeed) }

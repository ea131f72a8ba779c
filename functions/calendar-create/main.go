// Command calendar-create is the Lambda function behind POST /api/calendar.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.CalendarCreate) }

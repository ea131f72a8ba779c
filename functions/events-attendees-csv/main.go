// Command events-attendees-csv is the Lambda function behind GET /api/attendance/{id}/attendees.csv.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.EventsAttendeesCSV) }

// Command events-answer is the Lambda function behind PUT /api/attendance/{id}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.EventsAnswer) }

// Command rsvp-answer is the Lambda function behind POST /api/rsvp.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.RSVPAnswer) }

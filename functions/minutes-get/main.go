// Command minutes-get is the Lambda function behind GET /api/minutes/{id}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.MinutesGet) }

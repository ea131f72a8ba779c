// Command unsubscribe is the Lambda function behind POST /api/unsubscribe/{token}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.Unsubscribe) }

// Command roles-delete is the Lambda function behind DELETE /api/roles/{userId}/{associationId}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.RolesDelete) }

// Command roles-by-name is the Lambda function behind GET /api/roles/users/{name}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.RolesByName) }

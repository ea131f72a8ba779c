// Command associations-manager is the Lambda function behind PUT /api/associations/{id}/members/{userId}.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsManager) }

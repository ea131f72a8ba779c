// Command associations-members-csv is the Lambda function behind GET /api/associations/{id}/members.csv.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.AssociationsMembersCSV) }

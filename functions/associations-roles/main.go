// Command associations-roles is the Lambda function behind GET /api/associations/{id}/roles.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-roles") }

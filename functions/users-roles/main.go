// Command users-roles is the Lambda function behind GET /api/users/{id}/roles.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("users-roles") }

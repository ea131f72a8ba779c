// Command users-list is the Lambda function behind GET /api/users.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("users-list") }

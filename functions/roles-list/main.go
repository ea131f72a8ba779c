// Command roles-list is the Lambda function behind GET /api/roles.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("roles-list") }

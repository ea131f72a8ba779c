// Command roles-by-name is the Lambda function behind GET /api/roles/users/{name}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("roles-by-name") }

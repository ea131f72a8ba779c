// Command users-get is the Lambda function behind GET /api/users/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("users-get") }

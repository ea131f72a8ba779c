// Command roles-get is the Lambda function behind GET /api/roles/{userId}/{associationId}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("roles-get") }

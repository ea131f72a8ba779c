// Command roles-update is the Lambda function behind PUT /api/roles/{userId}/{associationId}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("roles-update") }

// Command roles-delete is the Lambda function behind DELETE /api/roles/{userId}/{associationId}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("roles-delete") }

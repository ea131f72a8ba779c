// Command users-delete is the Lambda function behind DELETE /api/users/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("users-delete") }

// Command users-update is the Lambda function behind PUT /api/users/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("users-update") }

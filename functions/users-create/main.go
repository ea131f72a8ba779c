// Command users-create is the Lambda function behind POST /api/users.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("users-create") }

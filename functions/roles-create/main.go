// Command roles-create is the Lambda function behind POST /api/roles.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("roles-create") }

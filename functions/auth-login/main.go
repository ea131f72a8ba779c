// Command auth-login is the Lambda function behind POST /api/auth/login.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("auth-login") }

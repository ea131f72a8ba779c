// Command verification-verify is the Lambda function behind POST /api/verification.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("verification-verify") }

// Command verification-resend is the Lambda function behind POST /api/verification/resend.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("verification-resend") }

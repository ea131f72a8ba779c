// Command verification-resend is the Lambda function behind POST /api/verification/resend.
package main

import (
	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

func main() { apifn.ServeRoute(httpapi.VerificationResend) }

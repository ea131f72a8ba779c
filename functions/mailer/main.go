// Command mailer is the Lambda function triggered by the mail queue: it sends each
// outbox e-mail through SES, exactly once.
package main

import "github.com/kittenasso/kittenasso/shared/app/mailerfn"

func main() { mailerfn.Serve() }

// Command mail-feedback is the Lambda function triggered by the mail feedback queue:
// each SES bounce or complaint stops the app's mail to that address.
package main

import "github.com/kittenasso/kittenasso/shared/app/feedbackfn"

func main() { feedbackfn.Serve() }

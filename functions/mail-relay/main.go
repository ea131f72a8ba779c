// Command mail-relay is the scheduled Lambda function that publishes the outbox
// e-mails a request committed but could not publish (queue down, function killed).
package main

import "github.com/kittenasso/kittenasso/shared/app/relayfn"

func main() { relayfn.Serve() }

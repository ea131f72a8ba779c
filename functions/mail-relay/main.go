// Command mail-relay is the scheduled Lambda function that publishes the outbox
// e-mails a request committed but could not publish (queue down, function killed).
package main

import "github.com/kittenasso/kittenasso/shared/mailqueue"

func main() { mailqueue.StartRelay() }

// Command events-list is the Lambda function behind GET /api/events.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("events-list") }

// Command events-create is the Lambda function behind POST /api/events.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("events-create") }

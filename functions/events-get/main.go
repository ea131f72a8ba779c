// Command events-get is the Lambda function behind GET /api/events/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("events-get") }

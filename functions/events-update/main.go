// Command events-update is the Lambda function behind PATCH /api/events/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("events-update") }

// Command events-delete is the Lambda function behind DELETE /api/events/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("events-delete") }

// Command events-by-association is the Lambda function behind GET /api/events/association/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("events-by-association") }

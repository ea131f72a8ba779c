// Command associations-minutes is the Lambda function behind GET /api/associations/{id}/minutes.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-minutes") }

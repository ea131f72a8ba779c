// Command minutes-list is the Lambda function behind GET /api/minutes.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("minutes-list") }

// Command minutes-get is the Lambda function behind GET /api/minutes/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("minutes-get") }

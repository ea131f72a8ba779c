// Command associations-get is the Lambda function behind GET /api/associations/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-get") }

// Command api-info is the Lambda function behind GET /api.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("api-info") }

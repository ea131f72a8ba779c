// Command openapi is the Lambda function behind GET /api/openapi.json.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("openapi") }

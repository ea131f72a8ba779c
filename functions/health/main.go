// Command health is the Lambda function behind GET /api/health.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("health") }

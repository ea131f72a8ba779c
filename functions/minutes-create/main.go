// Command minutes-create is the Lambda function behind POST /api/minutes.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("minutes-create") }

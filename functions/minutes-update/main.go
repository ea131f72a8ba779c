// Command minutes-update is the Lambda function behind PUT /api/minutes/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("minutes-update") }

// Command minutes-delete is the Lambda function behind DELETE /api/minutes/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("minutes-delete") }

// Command associations-delete is the Lambda function behind DELETE /api/associations/{id}.
package main

import "github.com/kittenasso/kittenasso/shared/lambdahttp"

func main() { lambdahttp.Start("associations-delete") }

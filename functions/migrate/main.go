// Command migrate is the one-shot migration step: it applies the schema migrations and
// creates the default admin. Invoke it once per deploy (see README), never per request.
package main

import "github.com/kittenasso/kittenasso/shared/app/migratefn"

func main() { migratefn.Serve() }

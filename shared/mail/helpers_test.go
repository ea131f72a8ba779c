package mail

import (
	"encoding/base64"
	"io"
	"strconv"
)

func base64Reader(r io.Reader) io.Reader { return base64.NewDecoder(base64.StdEncoding, r) }

func itoa(n int) string { return strconv.Itoa(n) }

// Package ports has the loopback helpers the local stack needs to start servers: a
// free port, waiting until one answers, and a server process kept running on its
// port (Process).
package ports

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitForPort waits until something accepts connections on the loopback port.
func WaitForPort(port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("nothing answers on port %d after %v", port, limit)
}

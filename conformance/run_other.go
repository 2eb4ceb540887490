//go:build !linux

package conformance

import (
	"context"
	"fmt"
	"runtime"
)

// Available reports that scenarios cannot run: they need Linux.
func Available() error {
	return &UnavailableError{Reason: fmt.Sprintf("needs Linux (network namespaces, TUN, /proc/net/tcp); this is %s", runtime.GOOS)}
}

// Run returns the *UnavailableError of [Available]: scenarios need Linux.
func Run(ctx context.Context, s Script) (Report, error) {
	if err := s.Validate(); err != nil {
		return Report{}, err
	}
	return Report{}, Available()
}

// Main returns m.Run(): there are no children to run off Linux.
func Main(m Runner) int { return m.Run() }

//go:build linux

package conformance_test

import (
	"os"
	"testing"

	"github.com/timewait/timewait/conformance"
)

// TestMain lets conformance.Run re-execute this test binary as a
// scenario's child in a fresh network namespace.
func TestMain(m *testing.M) { os.Exit(conformance.Main(m)) }

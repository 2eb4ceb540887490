//go:build linux

package conformance

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestChildRefusesSharedNamespace: the child side refuses to touch a
// network namespace it shares with its parent (here: the test process and
// go test), before any sysctl or interface is changed.
func TestChildRefusesSharedNamespace(t *testing.T) {
	self, err1 := os.Readlink("/proc/self/ns/net")
	parent, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", os.Getppid()))
	if err1 != nil || err2 != nil || self != parent {
		t.Skip("this test process does not share its parent's network namespace")
	}
	script := `{"name":"t","kernel_port":8080,"peer_port":40000,"sysctls":{"net/ipv4/tcp_rfc1337":"1"},"steps":[{"app":"listen"}]}`
	res := runChild("t", strings.NewReader(script))
	require.Nil(t, res.Report)
	require.Contains(t, res.Error, "refusing to run: this process shares its parent's network namespace")
}

func TestChildRejectsBadInput(t *testing.T) {
	cases := []struct {
		name, env, input, want string
	}{
		{"not JSON", "t", "{", "reading the script"},
		{"unknown field", "t", `{"name":"t","bogus":1}`, `unknown field "bogus"`},
		{"other scenario", "u", `{"name":"t"}`, `TIMEWAIT_CONFORMANCE_SCENARIO="u" but the script is "t"`},
		{"invalid script", "t", `{"name":"t","kernel_port":1,"peer_port":2,"steps":[{}]}`, "exactly one of"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := runChild(c.env, strings.NewReader(c.input))
			require.Nil(t, res.Report)
			require.Contains(t, res.Error, c.want)
		})
	}
}

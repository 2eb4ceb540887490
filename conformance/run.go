package conformance

// EnvScenario is the environment variable that makes a re-executed binary a
// runner's child: it names the scenario whose script is on the child's
// standard input. [Main] looks at it.
const EnvScenario = "TIMEWAIT_CONFORMANCE_SCENARIO"

// UnavailableError says why scenarios cannot run here (not Linux, not
// root, no TUN device, namespaces refused). Tests skip with its Reason.
type UnavailableError struct {
	Reason string
}

// Error says that conformance is unavailable, and why.
func (e *UnavailableError) Error() string { return "conformance unavailable: " + e.Reason }

// Runner is what a test's TestMain passes to [Main]: *testing.M.
type Runner interface {
	Run() int
}

// childResult is what a child writes on its standard output: exactly one
// field is set.
type childResult struct {
	Report      *Report `json:"report,omitempty"`
	Unavailable string  `json:"unavailable,omitempty"`
	Error       string  `json:"error,omitempty"`
}

// maxScriptBytes bounds the script a child reads.
const maxScriptBytes = 16 << 20

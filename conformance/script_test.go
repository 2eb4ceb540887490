package conformance_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

// slowBudget separates the slow tier (the 60 s TIME_WAIT expiry) from the
// fast one.
const slowBudget = 30 * time.Second

func valid() conformance.Script {
	return conformance.Script{
		Name: "ok", KernelPort: 8080, PeerPort: 40000, Vars: conformance.Bindings{"p": 1},
		Steps: []conformance.Step{conformance.App("listen"), conformance.Send("SYN seq=p")},
	}
}

func TestValidateRejects(t *testing.T) {
	cases := []struct {
		name string
		edit func(*conformance.Script)
		want string
	}{
		{"no name", func(s *conformance.Script) { s.Name = "" }, "want 1 to 64 characters"},
		{"upper-case name", func(s *conformance.Script) { s.Name = "Bad" }, "lower-case letters, digits and -"},
		{"no port", func(s *conformance.Script) { s.PeerPort = 0 }, "kernel_port and peer_port must be set"},
		{"bad variable", func(s *conformance.Script) { s.Vars = conformance.Bindings{"P": 1} }, "vars: variable name"},
		{"no steps", func(s *conformance.Script) { s.Steps = nil }, "needs 1 to 10000 steps, has 0"},
		{"too many steps", func(s *conformance.Script) { s.Steps = make([]conformance.Step, 10001) }, "has 10001"},
		{"long doc", func(s *conformance.Script) { s.Doc = strings.Repeat("x", 4097) }, "doc longer"},
		{"sysctl outside net", func(s *conformance.Script) { s.Sysctls = map[string]string{"kernel/panic": "1"} }, "want a path under net/"},
		{"sysctl escaping", func(s *conformance.Script) { s.Sysctls = map[string]string{"net/../kernel/panic": "1"} }, `bad path component ".."`},
		{"sysctl with odd characters", func(s *conformance.Script) { s.Sysctls = map[string]string{"net/ipv4/tcp rfc": "1"} }, "bad path component"},
		{"sysctl empty value", func(s *conformance.Script) { s.Sysctls = map[string]string{"net/ipv4/tcp_rfc1337": ""} }, "one non-empty line"},
		{"sysctl two lines", func(s *conformance.Script) { s.Sysctls = map[string]string{"net/ipv4/tcp_rfc1337": "1\n0"} }, "one non-empty line"},
		{"empty step", func(s *conformance.Script) { s.Steps[1] = conformance.Step{} }, "step 2 ((empty step)): exactly one of"},
		{"two kinds in a step", func(s *conformance.Script) { s.Steps[1].App = "close" }, "exactly one of send, resend, expect, silence, app, state and sleep must be set, not 2"},
		{"within on a send", func(s *conformance.Script) { s.Steps[1].Within = conformance.Duration(time.Second) }, "within is only for expect and state"},
		{"step too long", func(s *conformance.Script) { s.Steps[1] = conformance.Sleep(11 * time.Minute) }, "is not between 0 and 10m0s"},
		{"script too long", func(s *conformance.Script) {
			for range 4 {
				s.Steps = append(s.Steps, conformance.Sleep(9*time.Minute))
			}
		}, "more than 30m0s"},
		{"bad send", func(s *conformance.Script) { s.Steps[1] = conformance.Send("SYN") }, "step 2 (send SYN): a segment to send needs seq="},
		{"unbound variable", func(s *conformance.Script) { s.Steps[1] = conformance.Send("ACK seq=p ack=k") }, "variable k is not bound yet"},
		{"variable bound by only one alternative", func(s *conformance.Script) {
			s.Steps = append(s.Steps, conformance.Expect(time.Second, "SYN|ACK seq=k", "RST"), conformance.Send("ACK seq=p ack=k"))
		}, "step 4 (send ACK seq=p ack=k): variable k is not bound yet"},
		{"bad expectation", func(s *conformance.Script) { s.Steps[1] = conformance.Expect(time.Second, "ACK; ") }, `alternative "ACK; ": empty segment spec`},
		{"resend of a non-send", func(s *conformance.Script) { s.Steps[1] = conformance.Resend(1) }, "resend 1: not an earlier send step"},
		{"resend of a later step", func(s *conformance.Script) { s.Steps[0] = conformance.Resend(2) }, "resend 2: not an earlier send step"},
		{"unknown app", func(s *conformance.Script) { s.Steps[0] = conformance.App("shutdown") }, `unknown app action "shutdown"`},
		{"write without size", func(s *conformance.Script) { s.Steps[0] = conformance.App("write") }, `unknown app action "write"`},
		{"write too much", func(s *conformance.Script) { s.Steps[0] = conformance.App("write 100000") }, "write needs 1 to 1460 octets"},
		{"unknown state", func(s *conformance.Script) { s.Steps[0] = conformance.State("TIME-WAIT", 0) }, `unknown TCP state "TIME-WAIT"`},
		{"bad timer", func(s *conformance.Script) { s.Steps[0] = conformance.State("TIME_WAIT timer>=soon", 0) }, "timer>=soon: want a duration"},
		{"unknown condition", func(s *conformance.Script) { s.Steps[0] = conformance.State("TIME_WAIT socket=conn", 0) }, `unknown state condition "socket=conn"`},
		{"timer on GONE", func(s *conformance.Script) { s.Steps[0] = conformance.State("GONE timer<=1s", 0) }, "GONE has no timer"},
		{"empty timer range", func(s *conformance.Script) { s.Steps[0] = conformance.State("TIME_WAIT timer>=2s timer<=1s", 0) }, "is above"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := valid()
			s.Steps = append([]conformance.Step(nil), s.Steps...)
			c.edit(&s)
			require.ErrorContains(t, s.Validate(), c.want)
		})
	}
	require.NoError(t, valid().Validate())
}

func TestStepString(t *testing.T) {
	cases := []struct {
		step conformance.Step
		want string
	}{
		{conformance.Send("SYN seq=p"), "send SYN seq=p"},
		{conformance.Resend(3), "resend step 3"},
		{conformance.Expect(0, "ACK"), "expect ACK within 1s"},
		{conformance.Expect(2*time.Second, "FIN|ACK", "ACK; FIN|ACK"), "expect {FIN|ACK} or {ACK; FIN|ACK} within 2s"},
		{conformance.Silence(200 * time.Millisecond), "silence 200ms"},
		{conformance.App("close"), "app close"},
		{conformance.State("TIME_WAIT", 0), "state TIME_WAIT"},
		{conformance.State("GONE", 3*time.Second), "state GONE within 3s"},
		{conformance.Sleep(time.Second), "sleep 1s"},
		{conformance.Step{}, "(empty step)"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.step.String())
	}
}

// TestScriptJSON: a script survives JSON (what the runner sends its child)
// unchanged, durations are written as Go prints them, and the decoder
// refuses a negative or malformed duration.
func TestScriptJSON(t *testing.T) {
	for _, s := range conformance.InfrastructureScenarios() {
		b, err := json.Marshal(s)
		require.NoError(t, err)
		var back conformance.Script
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, s, back, s.Name)
	}
	b, err := json.Marshal(conformance.Silence(200 * time.Millisecond))
	require.NoError(t, err)
	require.JSONEq(t, `{"silence":"200ms"}`, string(b))
	var st conformance.Step
	require.ErrorContains(t, json.Unmarshal([]byte(`{"sleep":"-1s"}`), &st), "negative")
	require.ErrorContains(t, json.Unmarshal([]byte(`{"sleep":"soon"}`), &st), `bad duration "soon"`)
}

func TestInfrastructureScenariosAreValid(t *testing.T) {
	slow := 0
	names := map[string]bool{}
	for _, s := range conformance.InfrastructureScenarios() {
		require.NoError(t, s.Validate())
		require.True(t, strings.HasPrefix(s.Name, "infra-"), s.Name)
		require.False(t, names[s.Name], "duplicate %s", s.Name)
		names[s.Name] = true
		require.NotEmpty(t, s.Doc, s.Name)
		if s.Budget() > slowBudget {
			slow++
			require.Equal(t, "infra-time-wait-expiry", s.Name)
		}
	}
	require.Equal(t, 1, slow, "exactly one slow-tier scenario")
	require.Len(t, names, 13)
}

func TestBudget(t *testing.T) {
	s := conformance.Script{Steps: []conformance.Step{
		conformance.Expect(0, "ACK"),                // 1s default
		conformance.Expect(3*time.Second, "ACK"),    // 3s
		conformance.State("GONE", 2*time.Second),    // 2s
		conformance.State("GONE", 0),                // 0
		conformance.Silence(100 * time.Millisecond), // 0.1s
		conformance.Sleep(200 * time.Millisecond),   // 0.2s
		conformance.App("accept"),                   // 2s (accept's wait)
		conformance.Send("SYN seq=1"),               // 0
	}}
	require.Equal(t, 8300*time.Millisecond, s.Budget())
}

// TestDocExample: the JSON script in docs/conformance.md is a valid script
// with no unknown field.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/conformance.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	require.True(t, ok, "docs/conformance.md has a ```json block")
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	dec := json.NewDecoder(strings.NewReader(block))
	dec.DisallowUnknownFields()
	var s conformance.Script
	require.NoError(t, dec.Decode(&s))
	require.NoError(t, s.Validate())
	require.Equal(t, "send FIN|ACK seq=p+1 ack=k+2", s.Steps[s.Steps[14].Resend-1].String(), "the example resends the peer's FIN")
}

package conformance_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/conformance"
)

func TestVerdictString(t *testing.T) {
	cases := []struct {
		v    conformance.Verdict
		want string
	}{
		{conformance.Verdict{Outcome: conformance.Conforms}, "conforms"},
		{conformance.Verdict{Outcome: conformance.Diverges, Step: 7, Expected: "ACK seq=k+2 ack=p+2 within 2s", Got: "RST seq=k+2 win=0 at +0.003s"},
			"diverges at step 7: expected ACK seq=k+2 ack=p+2 within 2s, got RST seq=k+2 win=0 at +0.003s"},
		{conformance.Verdict{Outcome: conformance.Failed, Step: 2, Err: "writing to the device: EIO"}, "error at step 2: writing to the device: EIO"},
		{conformance.Verdict{Outcome: conformance.Failed, Err: "no TUN"}, "error in setup: no TUN"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.v.String())
	}
}

func sampleReport() conformance.Report {
	ms := func(n int) conformance.Duration { return conformance.Duration(time.Duration(n) * time.Millisecond) }
	return conformance.Report{
		Scenario: "infra-x", Doc: "a sample", Kernel: "6.18.0",
		Sysctls:  map[string]string{"net/ipv4/tcp_rfc1337": "1", "net/ipv4/tcp_invalid_ratelimit": "0"},
		Bindings: conformance.Bindings{"k": 5, "p": 1000000},
		Steps: []conformance.StepRecord{
			{N: 1, Step: "send FIN|ACK seq=p+1 ack=k+2", Ref: "a fact", Start: ms(0), End: ms(1), OK: true,
				Events: []conformance.Event{{At: ms(0), Dir: conformance.PeerToKernel, Segment: "FIN|ACK seq=p+1 ack=k+2 win=65535"}}},
			{N: 2, Step: "expect ACK seq=k+2 ack=p+2 within 2s", Start: ms(1), End: ms(3), OK: true, Matched: "ACK seq=k+2 ack=p+2",
				Events: []conformance.Event{{At: ms(2), Dir: conformance.KernelToPeer, Segment: "ACK seq=k+2 ack=p+2 win=502 <mss 1460>"},
					{At: ms(2), Dir: conformance.KernelToPeer, Segment: "ACK seq=k+2 ack=p+2 win=502", Note: "retransmission (folded)"}}},
			{N: 3, Step: "state TIME_WAIT", Start: ms(3), End: ms(4), Observed: "GONE"},
		},
		Trailing: []conformance.Event{{At: ms(5), Dir: conformance.Other, Segment: "undecodable datagram", Note: "short"}},
		Elapsed:  ms(1234),
		Verdict:  conformance.Verdict{Outcome: conformance.Diverges, Step: 3, Expected: "TIME_WAIT", Got: "GONE"},
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sampleReport().WriteText(&b))
	want := `scenario infra-x (kernel 6.18.0): diverges at step 3: expected TIME_WAIT, got GONE
  a sample
  sysctls: net/ipv4/tcp_invalid_ratelimit=0 net/ipv4/tcp_rfc1337=1
  bindings: k=5 p=1000000
   1   +0.000s  send FIN|ACK seq=p+1 ack=k+2  [ok]
                ref: a fact
                +0.000s P>K   FIN|ACK seq=p+1 ack=k+2 win=65535
   2   +0.001s  expect ACK seq=k+2 ack=p+2 within 2s  [ok]
                +0.002s K>P   ACK seq=k+2 ack=p+2 win=502 <mss 1460>
                +0.002s K>P   ACK seq=k+2 ack=p+2 win=502  (retransmission (folded))
                matched: ACK seq=k+2 ack=p+2
   3   +0.003s  state TIME_WAIT  [FAILED]
                observed: GONE
                after the last step:
                +0.005s other undecodable datagram  (short)
  verdict: diverges at step 3: expected TIME_WAIT, got GONE (1.234s)
`
	require.Equal(t, want, b.String())
}

func TestWriteTable(t *testing.T) {
	ok := conformance.Report{Scenario: "infra-y", Elapsed: conformance.Duration(200 * time.Millisecond),
		Verdict: conformance.Verdict{Outcome: conformance.Conforms}}
	var b strings.Builder
	require.NoError(t, conformance.WriteTable(&b, []conformance.Report{sampleReport(), ok}))
	want := "| scenario | verdict | kernel segments (in order) | time |\n|---|---|---|---|\n" +
		"| `infra-x` | diverges at step 3: expected TIME_WAIT, got GONE | ACK seq=k+2 ack=p+2 · ACK seq=k+2 ack=p+2 | 1.23 s |\n" +
		"| `infra-y` | conforms | (none) | 0.20 s |\n"
	require.Equal(t, want, b.String())
}

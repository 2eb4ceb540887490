package twtest_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/twtest"
)

// exampleT stands in for the *testing.T of a real test, so that the
// examples can show what a test reports: failures are printed, with the
// temporary directory spelled $TMPDIR so that the output is the same on
// every run.
type exampleT struct {
	dir     string
	failed  bool
	abridge bool // print only the head and the tail of a failure message
}

func newExampleT() *exampleT {
	dir, err := os.MkdirTemp("", "twtest-example-")
	if err != nil {
		panic(err)
	}
	return &exampleT{dir: dir}
}

func (t *exampleT) Helper()                  {}
func (t *exampleT) Name() string             { return "TestMyVariant" }
func (t *exampleT) TempDir() string          { return t.dir }
func (t *exampleT) Logf(string, ...any)      {}
func (t *exampleT) Skipf(f string, a ...any) { fmt.Printf("SKIP: "+f+"\n", a...) }
func (t *exampleT) Errorf(f string, a ...any) {
	t.failed = true
	msg := "FAIL: " + strings.ReplaceAll(fmt.Sprintf(f, a...), t.dir, "$TMPDIR")
	if lines := strings.Split(msg, "\n"); t.abridge && len(lines) > 12 {
		msg = strings.Join(lines[:5], "\n") + "\n  [...]\n" + strings.Join(lines[len(lines)-7:], "\n")
	}
	fmt.Println(msg)
}
func (t *exampleT) Fatalf(f string, a ...any) { t.Errorf(f, a...) }
func (t *exampleT) cleanup()                  { _ = os.RemoveAll(t.dir) }

// Checking the default model: with MSL = 1 tick and TIME-WAIT = 2·MSL, both
// properties TIME-WAIT exists for hold. In a test, t is the *testing.T.
func ExampleCheck() {
	t := newExampleT()
	defer t.cleanup()

	for _, r := range twtest.Check(t, model.DefaultConfig(), "no-rst-on-retransmitted-fin", "no-stale-segment-accepted") {
		fmt.Println(r.Property, r.Verdict)
	}
	fmt.Println("test failed:", t.failed)
	// Output:
	// no-rst-on-retransmitted-fin holds
	// no-stale-segment-accepted holds
	// test failed: false
}

// Checking a variant: where a segment may live exactly MSL (an inclusive
// lifetime bound) rather than strictly less, the last copy of a chain can
// arrive at the very instant TIME-WAIT expires, and TIME-WAIT needs one tick
// more than 2·MSL.
func ExampleExpect() {
	t := newExampleT()
	defer t.cleanup()

	cfg := model.DefaultConfig() // MSL 1
	cfg.Lifetime = model.Inclusive
	for _, c := range []struct {
		tw   int
		want twtest.Verdict
	}{{2, twtest.Violated}, {3, twtest.Holds}} {
		cfg.TW = c.tw
		r := twtest.Expect(t, cfg, "no-rst-on-retransmitted-fin", c.want)
		fmt.Printf("tw=%d: %s\n", c.tw, r.Verdict)
	}
	fmt.Println("test failed:", t.failed)
	// Output:
	// tw=2: violated
	// tw=3: holds
	// test failed: false
}

// Expecting a violation: one tick short of 2·MSL, the peer's retransmitted
// FIN meets an RST. The result carries the shortest counterexample,
// replayed.
func ExampleExpectViolation() {
	t := newExampleT()
	defer t.cleanup()

	cfg := model.DefaultConfig()
	cfg.TW = 1
	r := twtest.ExpectViolation(t, cfg, "no-rst-on-retransmitted-fin")
	steps := r.Counterexample.Steps
	fmt.Println(len(steps), "steps;", traces.Faults(*r.Counterexample).Summary)
	fmt.Println("last step:", steps[len(steps)-1].Label)
	fmt.Println("test failed:", t.failed)
	// Output:
	// 13 steps; needs 1 lost ACK; no duplication; no reordering
	// last step: deliver B>A FIN|ACK seq=2 ack=2 inc=1 age=0 rtx → A>B RST seq=2 inc=1 age=0 orphan (CLOSED × FIN: no connection: RST)
	// test failed: false
}

// Reading a failure: a deliberately broken variant (TIME-WAIT drops a
// retransmitted FIN instead of acknowledging it) fails with the shortest
// counterexample as a timeline — each step's model time, actor and event,
// then both endpoints and the copies in flight — and the trace file to
// replay with timewait trace show. (The example prints the head and the
// tail of the message; a test prints all of it.)
func ExampleCheck_failure() {
	t := newExampleT()
	defer t.cleanup()
	t.abridge = true

	cfg := model.DefaultConfig()
	cfg.Mutant = model.MutTimeWaitIgnoresFIN
	twtest.Check(t, cfg, "no-rst-on-retransmitted-fin")
	// Output:
	// FAIL: no-rst-on-retransmitted-fin: violated at msl=1 tw=2 mutant=time-wait-ignores-fin, want holds
	// shortest counterexample, 19 steps; needs 1 lost ACK; no duplication; no reordering:
	//   step    time  actor event (then: A | B | in flight)
	//      0    0.00        start
	//                         A: ESTABLISHED inc=1 iss=0 una=1 nxt=1 rcv=1 | B: ESTABLISHED inc=1 iss=0 una=1 nxt=2 rcv=1 rtx0=2/0 | in flight: 1 [B>A ACK seq=1 ack=1 len=1 inc=1 age=0]
	//   [...]
	//     18    3.00  B     timeout B rtx1 → B>A FIN|ACK seq=2 ack=2 inc=1 age=0 rtx (LAST-ACK × rtx-timeout: retransmit)
	//                         A: CLOSED inc=1 | B: LAST-ACK inc=1 iss=0 una=2 nxt=3 rcv=2 closed rtx1=8/2 | in flight: 1 [B>A FIN|ACK seq=2 ack=2 inc=1 age=0 rtx]
	//     19    3.00  A     deliver B>A FIN|ACK seq=2 ack=2 inc=1 age=0 rtx → A>B RST seq=2 inc=1 age=0 orphan (CLOSED × FIN: no connection: RST)
	//                         A: CLOSED inc=1 | B: LAST-ACK inc=1 iss=0 una=2 nxt=3 rcv=2 closed rtx1=8/2 | in flight: 1 [A>B RST seq=2 inc=1 age=0 orphan]
	// trace file: $TMPDIR/TestMyVariant-no-rst-on-retransmitted-fin.json
	//   (in t.TempDir(), deleted when the test ends: set TIMEWAIT_TRACE_DIR=DIR to keep it)
	//   show it with: timewait trace show $TMPDIR/TestMyVariant-no-rst-on-retransmitted-fin.json
}

// Package twtest runs timewait's properties from go test: one call per check
// from any *testing.T, sweeps of expected verdicts as subtests, golden
// counterexamples replayed on every run, and rapid random walks for
// configurations too large to enumerate. docs/testing.md is the guide.
//
//	func TestMyVariant(t *testing.T) {
//		cfg := model.DefaultConfig()
//		cfg.TWRestart = model.RestartOnACK
//		twtest.Check(t, cfg) // every safety property must hold
//	}
//
// A check passes only when the property holds on a complete search (a search
// cut short by a bound is a failure, never "holds") and its witness was
// reached. A failure prints the shortest counterexample as a timeline and
// writes it as a trace file (docs/trace-format.md) to $TIMEWAIT_TRACE_DIR, or
// else to t.TempDir(), printing the path.
//
// It owns the testing vocabulary (expected verdicts, cases, sweeps, golden
// files, walk weights), the failure messages, and where trace files go; it
// owns no model rule, property or search: those are model, properties and
// verify, and every counterexample it prints is built and replayed by traces.
//
// Import rule: twtest imports model, checker, properties, verify, traces, the
// standard library (testing included) and pgregory.net/rapid; it never
// imports the CLI (cmd/...), and no package other than tests imports twtest.
// It keeps no package-level mutable state: the -update flag belongs to the
// caller's test file and is passed in.
package twtest

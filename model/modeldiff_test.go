package model_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestModelDiffHarness runs the differential harness's self-test
// (bench/modeldiff/selftest.sh) on a small budget: the harness must build
// against this tree's model, find no difference between the model and
// itself, and report each of its deliberate changes to a scratch copy
// (eight behaviour changes with exit status 1, a layout change with exit
// status 2). The harness is the tool for checking a rewrite of the model against
// the previous revision; this keeps it working as the model changes. A
// self-test whose change no longer applies to the model fails here too.
func TestModelDiffHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the harness ten times (about a minute); skipped under -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script, err := filepath.Abs(filepath.Join("..", "bench", "modeldiff", "selftest.sh"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, script, "-max", "2000", "-walks", "3")
	// The go command that runs this test may not be on PATH.
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(runtime.GOROOT(), "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bench/modeldiff/selftest.sh: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"PASS: no difference", "-> detected (exit 1)", "-> detected (exit 2, layout)", "selftest: PASS"} {
		if !strings.Contains(got, want) {
			t.Errorf("self-test output lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "-> detected"); n != 9 {
		t.Errorf("%d of 9 deliberate changes detected:\n%s", n, got)
	}
}

package traces_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/traces"
)

// requireBrowser is the environment variable that turns a missing Chromium
// from a skip into a failure (CI sets it).
const requireBrowser = "TIMEWAIT_REQUIRE_BROWSER"

// chromium finds the browser, or skips (fails when TIMEWAIT_REQUIRE_BROWSER=1).
func chromium(t *testing.T) string {
	t.Helper()
	required := os.Getenv(requireBrowser) == "1"
	if testing.Short() && !required {
		t.Skip("-short: the browser test starts Chromium several times (a few seconds each)")
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if required {
		t.Fatalf("chromium is not on PATH and %s=1 (install it: apt-get install -y chromium)", requireBrowser)
	}
	t.Skipf("chromium is not on PATH (install it with apt-get install -y chromium; set %s=1 to make this a failure)", requireBrowser)
	return ""
}

var selftestResult = regexp.MustCompile(`(?s)<pre id="selftest-result">(.*?)</pre>`)

// selftest opens page in headless Chromium with #selftest and returns what
// the page's self-test wrote into #selftest-result.
func selftest(t *testing.T, browser, page string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(file, []byte(page), 0o644))
	u := url.URL{Scheme: "file", Path: file, Fragment: "selftest"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--virtual-time-budget=10000", "--dump-dom", u.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	require.NoError(t, err, "chromium: %s", tail(stderr.String(), 2000))
	m := selftestResult.FindStringSubmatch(stdout.String())
	require.NotNil(t, m, "the dumped DOM has no #selftest-result: %s", tail(stdout.String(), 2000))
	return html.UnescapeString(m[1])
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// tamper rewrites the JSON a report embeds.
func tamper(t *testing.T, page string, edit func(d map[string]any)) string {
	t.Helper()
	const open = `<script type="application/json" id="tw-data">`
	i := strings.Index(page, open) + len(open)
	j := i + strings.Index(page[i:], "</script>")
	d := reportData(t, page)
	edit(d)
	data, err := json.Marshal(d)
	require.NoError(t, err)
	return page[:i] + string(data) + page[j:]
}

// TestBrowserSelfTest opens real reports in headless Chromium with
// #selftest: the page drives its own slider and buttons through every step
// and checks what it shows against the model. Broken pages — data that no
// longer matches the model, a script error, a console.error — must make it
// report FAIL.
func TestBrowserSelfTest(t *testing.T) {
	browser := chromium(t)
	staleCE := renderCE(t, "no-stale-segment-accepted")
	stale := renderOut(t, traces.WriteHTML, staleCE)
	rstCE := renderCE(t, "no-rst-on-retransmitted-fin")
	faulty := renderFaulty(t)
	shown := func(r traces.Replayed) string { // what a PASS says it checked
		return fmt.Sprintf("PASS: %d states (%d steps) shown", len(r.Steps)+1, len(r.Steps))
	}
	cases := []struct {
		name string
		page string
		want string // prefix of the result
		has  string // and a part of it
	}{
		{"no-rst-on-retransmitted-fin", renderOut(t, traces.WriteHTML, rstCE), "PASS", shown(rstCE)},
		{"no-stale-segment-accepted", stale, "PASS", shown(staleCE)},
		{"duplication and loss", renderOut(t, traces.WriteHTML, faulty), "PASS", shown(faulty)},
		{"no longer violates", renderOut(t, traces.WriteHTML, cutShort(t, staleCE)), "PASS", shown(cutShort(t, staleCE))},
		{"tampered state", tamper(t, stale, func(d map[string]any) {
			a := d["steps"].([]any)[3].(map[string]any)["a"].([]any)
			a[0] = "CLOSED" // the model says FIN-WAIT-1
		}), "FAIL", `step 3: A connection state shows "CLOSED", the model says "FIN-WAIT-1"`},
		{"tampered copies", tamper(t, stale, func(d map[string]any) {
			st := d["steps"].([]any)[9].(map[string]any)
			st["net"] = []any{}
		}), "FAIL", "step 9: copies in flight shown []"},
		{"script error", strings.Replace(stale, "</body>", "<script>notDefinedAnywhere();</script>\n</body>", 1), "FAIL", "error: "},
		{"console.error", strings.Replace(stale, "</body>", "<script>console.error(\"broken\");</script>\n</body>", 1), "FAIL", "console.error: broken"},
		{"script does not run", strings.Replace(stale, `JSON.parse(document.getElementById("tw-data").textContent)`, `JSON.parse("{")`, 1), "FAIL", "did not run"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := selftest(t, browser, c.page)
			t.Log(got)
			require.True(t, strings.HasPrefix(got, c.want), "self-test says %q, want %s", got, c.want)
			require.Contains(t, got, c.has)
		})
	}
}

package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/variants"
)

var update = flag.Bool("update", false, "rewrite generated documentation and golden files")

// docsExample is the counterexample docs/traces.md shows in every format:
// the default configuration at TW = 2·MSL−1.
var docsExampleArgs = []string{"check", "--msl", "1", "--tw", "1"}

// docFormats are the formats embedded in docs/traces.md (text formats) or
// written beside it under docs/examples/ (all formats).
func docFormats() []struct{ format, ext, fence string } {
	return []struct{ format, ext, fence string }{
		{"json", "json", ""}, {"text", "timeline.txt", "text"}, {"ladder", "ladder.txt", "text"},
		{"mermaid", "mmd", "mermaid"}, {"svg", "svg", ""}, {"html", "html", ""}, {"dot", "dot", "dot"},
		{"itf", "itf.json", ""}, {"pcap", "pcap", ""}, {"packetdrill", "pkt", "text"},
	}
}

// TestDocsTracesCurrent regenerates docs/examples/ and the generated blocks
// of docs/traces.md with the tool and requires the committed files to match.
// Refresh with: go test ./cmd/timewait -run TestDocsTracesCurrent -update
func TestDocsTracesCurrent(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(append(docsExampleArgs, "--trace-out", filepath.Join(dir, "cex.json"))...)
	require.Equal(t, exitViolated, code, stderr)
	docPath := filepath.Join("..", "..", "docs", "traces.md")
	doc, err := os.ReadFile(docPath)
	require.NoError(t, err)
	newDoc := string(doc)
	for _, id := range []string{"no-rst-on-retransmitted-fin", "no-stale-segment-accepted"} {
		file := filepath.Join(dir, "cex."+id+".json")
		for _, f := range docFormats() {
			code, out, errOut := runCLI("trace", "show", file, "--format", f.format)
			require.Equal(t, exitHolds, code, errOut)
			example := filepath.Join("..", "..", "docs", "examples", id+"."+f.ext)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(example), 0o755))
				require.NoError(t, os.WriteFile(example, []byte(out), 0o644))
			}
			committed, err := os.ReadFile(example)
			require.NoError(t, err, "refresh with: go test ./cmd/timewait -run TestDocsTracesCurrent -update")
			require.True(t, bytes.Equal(committed, []byte(out)), "%s is out of date; refresh with: go test ./cmd/timewait -run TestDocsTracesCurrent -update", example)
			if f.fence != "" && id == "no-rst-on-retransmitted-fin" {
				newDoc = replaceGenerated(t, newDoc, f.format, "```"+f.fence+"\n"+out+"```\n")
			}
		}
	}
	if *update {
		require.NoError(t, os.WriteFile(docPath, []byte(newDoc), 0o644))
	}
	require.Equal(t, newDoc, string(doc), "docs/traces.md is out of date; refresh with: go test ./cmd/timewait -run TestDocsTracesCurrent -update")
}

// replaceGenerated replaces the block between "<!-- generated: NAME -->" and
// "<!-- end generated: NAME -->" in doc.
func replaceGenerated(t *testing.T, doc, name, body string) string {
	re := regexp.MustCompile(fmt.Sprintf(`(?s)(<!-- generated: %s -->\n).*?(<!-- end generated: %s -->)`, regexp.QuoteMeta(name), regexp.QuoteMeta(name)))
	require.True(t, re.MatchString(doc), "the document has no generated block %q", name)
	return re.ReplaceAllLiteralString(doc, "<!-- generated: "+name+" -->\n"+body+"<!-- end generated: "+name+" -->")
}

// TestDocsMentionEveryFormat: every format the CLI offers is documented.
func TestDocsMentionEveryFormat(t *testing.T) {
	for _, name := range []string{"trace-format.md", "traces.md"} {
		doc, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		require.NoError(t, err)
		for _, f := range formatNames() {
			require.True(t, strings.Contains(string(doc), "`"+f+"`"), "docs/%s does not mention format %q", name, f)
		}
	}
}

// variantsDocCurrent checks that the generated section marker of
// docs/variants.md is what "timewait variants FLAG" prints today (with
// -update it rewrites it) and returns the document.
func variantsDocCurrent(t *testing.T, flag, marker, test string) string {
	t.Helper()
	code, out, stderr := runCLI("variants", flag)
	require.Equal(t, exitHolds, code, stderr)
	docPath := filepath.Join("..", "..", "docs", "variants.md")
	doc, err := os.ReadFile(docPath)
	require.NoError(t, err)
	newDoc := replaceGenerated(t, string(doc), marker, out)
	if *update {
		require.NoError(t, os.WriteFile(docPath, []byte(newDoc), 0o644))
		doc = []byte(newDoc)
	}
	require.Equal(t, newDoc, string(doc), "docs/variants.md is out of date; refresh with: go test ./cmd/timewait -run "+test+" -update")
	return string(doc)
}

// TestDocsVariantsCurrent: the results table of docs/variants.md is what
// "timewait variants --results" prints today. Refresh with:
// go test ./cmd/timewait -run TestDocsVariantsCurrent -update
func TestDocsVariantsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("checks every variant (several minutes); run without -short")
	}
	doc := variantsDocCurrent(t, "--results", "variant-results", "TestDocsVariantsCurrent")
	for _, name := range variants.Names() {
		require.Contains(t, doc, "`"+name+"`", "docs/variants.md documents every variant")
	}
}

// TestDocsVariantMSLLimitsCurrent: the MSL-limit table of docs/variants.md
// is what "timewait variants --msl-limits" prints. Refresh with:
// go test ./cmd/timewait -run TestDocsVariantMSLLimitsCurrent -update
func TestDocsVariantMSLLimitsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("sweeps the variants that fix TIME-WAIT over MSL 1..2 (several minutes); run without -short")
	}
	variantsDocCurrent(t, "--msl-limits", "variant-msl-limits", "TestDocsVariantMSLLimitsCurrent")
}

package twtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/traces"
)

// traceDir returns the directory trace files go to and whether it is a
// t.TempDir() (deleted when the test ends).
func traceDir(t TB, configured string) (string, bool, error) {
	dir := configured
	if dir == "" {
		dir = os.Getenv(EnvTraceDir)
	}
	if dir == "" {
		return t.TempDir(), true, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, err
	}
	return dir, false, nil
}

// traceFileName is the file a test writes the trace of prop to: the test's
// name made safe for a file system, with prop added unless the name already
// carries it.
func traceFileName(testName, prop, suffix string) string {
	name := sanitize(testName)
	if !strings.Contains(name, prop) {
		name += "-" + prop
	}
	return name + suffix + ".json"
}

// sanitize keeps letters, digits and "-_.=" and replaces everything else
// (the "/" of subtests included) with "_".
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-_.=", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "trace"
	}
	return b.String()
}

// writeTrace writes tr where the options say and returns its path ("" if it
// could not be written) and the lines of the failure message that say where
// it is and how to look at it.
func (o Options) writeTrace(t TB, tr traces.Trace, prop string) (string, string) {
	dir, temp, err := traceDir(t, o.TraceDir)
	if err != nil {
		return "", fmt.Sprintf("trace file not written: %v\n", err)
	}
	return writeTraceFile(dir, temp, traceFileName(t.Name(), prop, ""), tr, false)
}

// writeTraceFile writes tr as dir/name. Unless replace is set, when that
// file exists (an earlier failure of the same test, or another run sharing
// the directory) it writes dir/name-2.json, -3, ... instead, so a failure
// never overwrites the trace another message points to. A random walk sets
// replace: rapid reruns it while shrinking, and its message names the file
// of the last, shrunk walk. temp says dir is a t.TempDir().
func writeTraceFile(dir string, temp bool, name string, tr traces.Trace, replace bool) (string, string) {
	var buf bytes.Buffer
	if err := traces.Encode(&buf, tr); err != nil {
		return "", fmt.Sprintf("trace file not written: %v\n", err)
	}
	base := strings.TrimSuffix(name, ".json")
	var path string
	for i := 1; ; i++ {
		path = filepath.Join(dir, name)
		if i > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d.json", base, i))
		}
		mode := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if replace {
			mode = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(path, mode, 0o644)
		if errors.Is(err, fs.ErrExist) && i < 10000 {
			continue
		}
		if err != nil {
			return "", fmt.Sprintf("trace file not written: %v\n", err)
		}
		_, werr := f.Write(buf.Bytes())
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", fmt.Sprintf("trace file not written: %v\n", werr)
		}
		break
	}
	note := "trace file: " + path + "\n"
	if temp {
		note += fmt.Sprintf("  (in t.TempDir(), deleted when the test ends: set %s=DIR to keep it)\n", EnvTraceDir)
	}
	note += "  show it with: timewait trace show " + path + "\n"
	return path, note
}

// describe names a configuration in one line, flag style: msl and tw, then
// every field that differs from [model.DefaultConfig] ("msl=1 tw=1
// tw-restart=ack").
func describe(cfg model.Config) string {
	keys, have := configFields(cfg)
	_, def := configFields(model.DefaultConfig())
	parts := []string{"msl=" + have["msl"], "tw=" + have["tw"]}
	for _, k := range keys {
		if k == "msl" || k == "tw" || have[k] == def[k] {
			continue
		}
		parts = append(parts, strings.ReplaceAll(k, "_", "-")+"="+have[k])
	}
	return strings.Join(parts, " ")
}

// configFields returns the JSON fields of cfg in schema order, with their
// values as text.
func configFields(cfg model.Config) ([]string, map[string]string) {
	data, err := json.Marshal(cfg)
	if err != nil {
		return nil, map[string]string{"msl": fmt.Sprint(cfg.MSL), "tw": fmt.Sprint(cfg.TW)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	vals := map[string]string{}
	var keys []string
	if _, err := dec.Token(); err != nil { // {
		return nil, vals
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			break
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		key := fmt.Sprint(k)
		keys = append(keys, key)
		vals[key] = fmt.Sprint(v)
	}
	return keys, vals
}

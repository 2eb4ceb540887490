package traces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/timewait/timewait/model"
)

// Limits on what [Decode] accepts from an untrusted file.
const (
	MaxFileBytes = 16 << 20 // 16 MiB
	MaxSteps     = 100_000  // actions in one trace
	maxLine      = 4096     // characters in one action, state or label
)

// Encode writes t as indented JSON, the trace file format. It is
// deterministic: the same trace gives the same bytes.
func Encode(w io.Writer, t Trace) error {
	if err := t.rulesNamed(); err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "B>A", not "B\u003eA": the file is for people too
	enc.SetIndent("", "  ")
	if err := enc.Encode(t); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// DecodeError is a trace file that cannot be read: where (line and column
// for malformed JSON, the field otherwise) and why.
type DecodeError struct {
	Line, Col int    // 1-based; 0 when the problem is not at one place in the text
	Field     string // the JSON field at fault, if known ("actions[3]")
	Reason    string
}

// Error says "bad trace file", where, and why, on one line.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("bad trace file")
	if e.Line > 0 {
		fmt.Fprintf(&b, " at line %d, column %d", e.Line, e.Col)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " in %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// wireTrace is a Trace whose configuration is checked field by field.
type wireTrace struct {
	Format   string          `json:"format"`
	Version  int             `json:"version"`
	Variant  string          `json:"variant"`
	Digest   string          `json:"variant_digest,omitempty"`
	Property string          `json:"property"`
	Kind     string          `json:"kind"`
	Search   string          `json:"search,omitempty"`
	Readable bool            `json:"readable,omitempty"`
	Faults   *FaultSet       `json:"faults,omitempty"`
	Config   json.RawMessage `json:"config"`
	Init     string          `json:"init"`
	Actions  []string        `json:"actions"`
	States   []string        `json:"states"`
	Labels   []string        `json:"labels"`
}

// Decode reads one trace file from untrusted input. It checks the JSON, the
// format name and version, that every field is known and every required one
// present (the configuration in full), and the sizes; it does not replay
// (see [Replay] and [Verify]). Errors are [*DecodeError]s.
func Decode(r io.Reader) (Trace, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return Trace{}, &DecodeError{Reason: err.Error()}
	}
	if len(data) > MaxFileBytes {
		return Trace{}, &DecodeError{Reason: fmt.Sprintf("larger than %d MiB", MaxFileBytes>>20)}
	}
	var present map[string]json.RawMessage
	if err := strictUnmarshal(data, &present); err != nil {
		return Trace{}, located(data, err)
	}
	for _, k := range []string{"format", "version", "property", "kind", "config", "actions"} {
		if _, ok := present[k]; !ok {
			return Trace{}, &DecodeError{Field: k, Reason: "missing"}
		}
	}
	var w wireTrace
	if err := strictUnmarshal(data, &w); err != nil {
		return Trace{}, located(data, err)
	}
	if w.Format != Format {
		return Trace{}, &DecodeError{Field: "format", Reason: fmt.Sprintf("%q is not %q", w.Format, Format)}
	}
	if w.Version != Version {
		return Trace{}, &DecodeError{Field: "version", Reason: fmt.Sprintf("format version %d, this tool reads %d", w.Version, Version)}
	}
	if w.Digest != "" && !isDigest(w.Digest) {
		return Trace{}, &DecodeError{Field: "variant_digest", Reason: fmt.Sprintf("%q is not 32 lowercase hexadecimal digits", w.Digest)}
	}
	if w.Kind != KindCounterexample && w.Kind != KindWitness {
		return Trace{}, &DecodeError{Field: "kind", Reason: fmt.Sprintf("%q (want %q or %q)", w.Kind, KindCounterexample, KindWitness)}
	}
	if w.Search != "" && w.Search != SearchShortest && w.Search != SearchFewestFaults {
		return Trace{}, &DecodeError{Field: "search", Reason: fmt.Sprintf("%q (want %q or %q)", w.Search, SearchShortest, SearchFewestFaults)}
	}
	if w.Property == "" {
		return Trace{}, &DecodeError{Field: "property", Reason: "empty"}
	}
	cfg, err := decodeConfig(w.Config)
	if err != nil {
		return Trace{}, err
	}
	if len(w.Actions) > MaxSteps {
		return Trace{}, &DecodeError{Field: "actions", Reason: fmt.Sprintf("%d steps, more than the %d this tool reads", len(w.Actions), MaxSteps)}
	}
	for name, list := range map[string][]string{"states": w.States, "labels": w.Labels} {
		if len(list) != 0 && len(list) != len(w.Actions) {
			return Trace{}, &DecodeError{Field: name, Reason: fmt.Sprintf("%d entries for %d actions (give one per action, or none)", len(list), len(w.Actions))}
		}
	}
	for name, list := range map[string][]string{"actions": w.Actions, "states": w.States, "labels": w.Labels, "init": {w.Init}} {
		for i, s := range list {
			if len(s) > maxLine {
				return Trace{}, &DecodeError{Field: fmt.Sprintf("%s[%d]", name, i), Reason: fmt.Sprintf("longer than %d characters", maxLine)}
			}
		}
	}
	return Trace{
		Format: w.Format, Version: w.Version, Variant: w.Variant, VariantDigest: w.Digest, Property: w.Property, Kind: w.Kind, Search: w.Search,
		Readable: w.Readable, Faults: w.Faults, Config: cfg, Init: w.Init, Actions: orEmpty(w.Actions),
		States: orEmpty(w.States), Labels: orEmpty(w.Labels),
	}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// laterConfigFields are the configuration fields added within version 1. A
// file may leave them out (it was written before they existed); they then
// mean the RFC 9293 behaviour, their defaults: an orderly close and no
// FIN-WAIT-2 timer.
var laterConfigFields = map[string]bool{"close_mode": true, "fin_timeout": true}

// decodeConfig reads the configuration object, which must give every field
// except those added within version 1 (laterConfigFields): a trace file does
// not depend on this version's defaults.
func decodeConfig(raw json.RawMessage) (model.Config, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return model.Config{}, &DecodeError{Field: "config", Reason: "not a JSON object"}
	}
	d := model.DefaultConfig()
	want, _ := json.Marshal(d)
	var all map[string]json.RawMessage
	_ = json.Unmarshal(want, &all)
	var missing []string
	for k := range all {
		if _, ok := fields[k]; !ok && !laterConfigFields[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return model.Config{}, &DecodeError{Field: "config", Reason: "missing " + strings.Join(missing, ", ")}
	}
	// Every other field is present and overwrites its zero value.
	c := model.Config{CloseMode: d.CloseMode, FinTimeout: d.FinTimeout}
	if err := json.Unmarshal(raw, &c); err != nil {
		return model.Config{}, &DecodeError{Field: "config", Reason: strings.TrimPrefix(err.Error(), "json: ")}
	}
	if err := c.Validate(); err != nil {
		return model.Config{}, &DecodeError{Field: "config", Reason: err.Error()}
	}
	return c, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return &DecodeError{Reason: "empty file"}
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := position(data, dec.InputOffset())
		return &DecodeError{Line: line, Col: col, Reason: "unexpected data after the trace object"}
	}
	return nil
}

// located turns a JSON error into a DecodeError with a line and column.
func located(data []byte, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		return de
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset-1) // Offset is just past the offending byte
		return &DecodeError{Line: line, Col: col, Reason: strings.TrimPrefix(se.Error(), "json: ")}
	case errors.As(err, &te):
		line, col := position(data, te.Offset)
		return &DecodeError{Line: line, Col: col, Field: te.Field, Reason: fmt.Sprintf("a JSON %s where %s is wanted", te.Value, te.Type)}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "truncated: the JSON ends early"
		line, col := position(data, int64(len(data)))
		return &DecodeError{Line: line, Col: col, Reason: msg}
	}
	return &DecodeError{Reason: msg}
}

// position converts a byte offset to a 1-based line and column.
func position(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// isDigest reports whether d has the form of model.RulesDigest.
func isDigest(d string) bool {
	if len(d) != 32 {
		return false
	}
	for _, c := range d {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

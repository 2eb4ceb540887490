package traces_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/timewait/timewait/traces"
)

// FuzzDecode: no input makes Decode, Verify, Readable or the renderers panic;
// whatever decodes re-encodes to something that decodes to the same trace.
// The seed corpus is the golden traces plus testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"format":"timewait-trace","version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := traces.Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := traces.Encode(&b, tr); err != nil {
			t.Fatalf("decoded trace does not encode: %v", err)
		}
		back, err := traces.Decode(&b)
		if err != nil {
			t.Fatalf("re-encoded trace does not decode: %v", err)
		}
		if len(back.Actions) != len(tr.Actions) || back.Config != tr.Config || back.Property != tr.Property {
			t.Fatalf("decode(encode(t)) differs from t")
		}
		r, _, err := traces.Verify(tr)
		if err != nil {
			return
		}
		if _, err := traces.Readable(r); err != nil {
			t.Fatalf("a trace that replays does not regroup: %v", err)
		}
		_ = traces.WriteTimeline(&bytes.Buffer{}, r)
		_ = traces.Flights(r)
		_ = traces.Faults(r)
	})
}

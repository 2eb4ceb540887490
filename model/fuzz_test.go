package model_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/timewait/timewait/model"
)

// FuzzReadConfig feeds arbitrary bytes to [model.ReadConfig], the parser
// behind --config and trace files' configurations. It must never panic; an
// error must be one line; and a configuration it accepts must be valid and
// must survive a round trip: re-encoded with MarshalJSON and read again, it
// is the same configuration, and encoding it again gives the same bytes.
//
// The seed corpus is the f.Add calls below and testdata/fuzz/FuzzReadConfig/.
// Run it with
//
//	go test -run='^$' -fuzz=FuzzReadConfig -fuzztime=30s ./model
func FuzzReadConfig(f *testing.F) {
	def, err := json.Marshal(model.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(def),
		`{}`,
		`{"msl": 3, "tw_restart": "ack"}`,
		`{"msl": 2, "tw": 3, "loss": 2, "dup": 2, "incarnations": 3}`,
		`{"lifetime": "inclusive", "same_instant": "deliveries-first", "grid": 1}`,
		`{"close_order": "any", "tw_rst": "close", "rtx": "rfc6298", "data_unacked": true}`,
		`{"mutant": "time-wait-ignores-fin"}`,
		`{"close_mode": "abort", "fin_timeout": 3}`,
		`{"close_mode": "bogus"}`,
		`{"fin_timeout": 125, "grid": 2}`,
		`{"fin_timeout": -1}`,
		`{"msl": 0}`,
		`{"mls": 2}`,
		`{"msl": "2"}`,
		`{"msl": 2`,
		`{} {}`,
		`[]`,
		`null`,
		`{"msl": 1e400}`,
		`{"msl": 60, "retries": 6, "backoff": 4}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := model.ReadConfig(bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ReadConfig(%q): error spans lines: %q", data, err)
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("ReadConfig(%q) accepted an invalid configuration: %v", data, verr)
		}
		enc, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("ReadConfig(%q) = %+v, which does not encode: %v", data, c, err)
		}
		back, err := model.ReadConfig(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("ReadConfig(%q) = %+v encodes as %s, which does not read back: %v", data, c, enc, err)
		}
		if back != c {
			t.Fatalf("round trip changed the configuration:\n input   %q\n read    %+v\n encoded %s\n re-read %+v", data, c, enc, back)
		}
		enc2, err := json.Marshal(back)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable: %s then %s (%v)", enc, enc2, err)
		}
		if _, err := model.New(c); err != nil {
			t.Fatalf("ReadConfig(%q) accepted %s, which model.New rejects: %v", data, enc, err)
		}
	})
}

package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// configJSON is the JSON form of [Config]: the schema printed in results and
// read by --config. Enumerations are spelled as on the command line.
type configJSON struct {
	MSL          int    `json:"msl"`
	TW           int    `json:"tw"`
	RTO          int    `json:"rto"`
	Backoff      int    `json:"backoff"`
	Retries      int    `json:"retries"`
	Loss         int    `json:"loss"`
	Dup          int    `json:"dup"`
	Incarnations int    `json:"incarnations"`
	Grid         int    `json:"grid"`
	FinTimeout   int    `json:"fin_timeout"`
	Lifetime     string `json:"lifetime"`
	SameInstant  string `json:"same_instant"`
	CloseOrder   string `json:"close_order"`
	CloseMode    string `json:"close_mode"`
	TWRestart    string `json:"tw_restart"`
	TWRst        string `json:"tw_rst"`
	Rtx          string `json:"rtx"`
	DataUnacked  bool   `json:"data_unacked"`
	NoData       bool   `json:"no_data,omitempty"`
	LateFaults   bool   `json:"late_faults,omitempty"`
	Mutant       string `json:"mutant"`
	// The sequence-faithful mode: omitted when off, so that the default
	// model's JSON is as before.
	SeqSpace   int    `json:"seq_space,omitempty"`
	Window     int    `json:"window,omitempty"`
	DataLen    int    `json:"data_len,omitempty"`
	ISNClock   int    `json:"isn_clock,omitempty"`
	ISNStart   int    `json:"isn_start,omitempty"`
	Timestamps bool   `json:"timestamps,omitempty"`
	TWSyn      string `json:"tw_syn,omitempty"`
	TWRules    string `json:"tw_rules,omitempty"`
	TWReuse    int    `json:"tw_reuse,omitempty"`
	TSCache    bool   `json:"ts_cache,omitempty"`
}

// faithfulJSON fills the sequence-faithful fields of j from c, leaving the
// enumerations empty at their defaults.
func (j *configJSON) faithfulJSON(c Config) {
	j.SeqSpace, j.Window, j.DataLen, j.ISNClock, j.ISNStart = c.SeqSpace, c.Window, c.DataLen, c.ISNClock, c.ISNStart
	j.Timestamps, j.TWReuse, j.TSCache = c.Timestamps, c.TWReuse, c.TSCache
	j.TWSyn, j.TWRules = "", ""
	if c.TWSyn != SynChallenge {
		j.TWSyn = c.TWSyn.String()
	}
	if c.TWRules != TWRulesRFC {
		j.TWRules = c.TWRules.String()
	}
}

// MarshalJSON writes the configuration with enumerations as strings.
func (c Config) MarshalJSON() ([]byte, error) {
	j := configJSON{
		MSL: c.MSL, TW: c.TW, RTO: c.RTO, Backoff: c.Backoff, Retries: c.Retries, Loss: c.Loss, Dup: c.Dup,
		Incarnations: c.Incarnations, Grid: c.Grid, FinTimeout: c.FinTimeout, Lifetime: c.Lifetime.String(),
		SameInstant: c.SameInstant.String(), CloseOrder: c.CloseOrder.String(), CloseMode: c.CloseMode.String(),
		TWRestart: c.TWRestart.String(), TWRst: c.TWRst.String(), Rtx: c.Rtx.String(), DataUnacked: c.DataUnacked,
		NoData: c.NoData, LateFaults: c.LateFaults, Mutant: c.Mutant.String(),
	}
	j.faithfulJSON(c)
	return json.Marshal(j)
}

// UnmarshalJSON reads a configuration. Fields that are absent keep the
// receiver's values (start from [DefaultConfig]); unknown fields and unknown
// enumeration values are errors (an enumeration error starts with the JSON
// field's name: "close_mode: unknown close mode ..."). It does not validate
// ranges: call [Config.Validate].
func (c *Config) UnmarshalJSON(data []byte) error {
	j := configJSON{
		MSL: c.MSL, TW: c.TW, RTO: c.RTO, Backoff: c.Backoff, Retries: c.Retries, Loss: c.Loss, Dup: c.Dup,
		Incarnations: c.Incarnations, Grid: c.Grid, FinTimeout: c.FinTimeout, Lifetime: c.Lifetime.String(),
		SameInstant: c.SameInstant.String(), CloseOrder: c.CloseOrder.String(), CloseMode: c.CloseMode.String(),
		TWRestart: c.TWRestart.String(), TWRst: c.TWRst.String(), Rtx: c.Rtx.String(), DataUnacked: c.DataUnacked,
		NoData: c.NoData, LateFaults: c.LateFaults, Mutant: c.Mutant.String(),
	}
	j.faithfulJSON(*c)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the configuration object")
	}
	n := Config{MSL: j.MSL, TW: j.TW, RTO: j.RTO, Backoff: j.Backoff, Retries: j.Retries, Loss: j.Loss, Dup: j.Dup,
		Incarnations: j.Incarnations, Grid: j.Grid, FinTimeout: j.FinTimeout, DataUnacked: j.DataUnacked, NoData: j.NoData, LateFaults: j.LateFaults,
		SeqSpace: j.SeqSpace, Window: j.Window, DataLen: j.DataLen, ISNClock: j.ISNClock, ISNStart: j.ISNStart,
		Timestamps: j.Timestamps, TWReuse: j.TWReuse, TSCache: j.TSCache}
	var err error
	for _, f := range []struct {
		field string
		parse func() error
	}{
		{"lifetime", func() error { n.Lifetime, err = ParseLifetime(j.Lifetime); return err }},
		{"same_instant", func() error { n.SameInstant, err = ParseSameInstant(j.SameInstant); return err }},
		{"close_order", func() error { n.CloseOrder, err = ParseCloseOrder(j.CloseOrder); return err }},
		{"close_mode", func() error { n.CloseMode, err = ParseCloseMode(j.CloseMode); return err }},
		{"tw_restart", func() error { n.TWRestart, err = ParseTWRestart(j.TWRestart); return err }},
		{"tw_rst", func() error { n.TWRst, err = ParseTWRst(j.TWRst); return err }},
		{"rtx", func() error { n.Rtx, err = ParseRtxRule(j.Rtx); return err }},
		{"mutant", func() error { n.Mutant, err = ParseMutant(j.Mutant); return err }},
		{"tw_syn", func() error {
			if j.TWSyn != "" {
				n.TWSyn, err = ParseTWSyn(j.TWSyn)
			}
			return err
		}},
		{"tw_rules", func() error {
			if j.TWRules != "" {
				n.TWRules, err = ParseTWRules(j.TWRules)
			}
			return err
		}},
	} {
		if err := f.parse(); err != nil {
			return fmt.Errorf("%s: %w", f.field, err)
		}
	}
	n.Rules = c.Rules // not part of the JSON form: keep the receiver's
	*c = n
	return nil
}

// ReadConfig reads a JSON configuration over [DefaultConfig] and validates
// it. Errors name the problem in one line, with the byte offset of a syntax
// error.
func ReadConfig(r io.Reader) (Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return Config{}, err
	}
	if len(data) > 1<<20 {
		return Config{}, fmt.Errorf("configuration larger than 1 MiB")
	}
	c := DefaultConfig()
	if err := json.Unmarshal(data, &c); err != nil {
		var se *json.SyntaxError
		if ok := asSyntax(err, &se); ok {
			return Config{}, fmt.Errorf("malformed JSON at byte %d: %v", se.Offset, se)
		}
		return Config{}, err
	}
	return c, c.Validate()
}

func asSyntax(err error, target **json.SyntaxError) bool {
	se, ok := err.(*json.SyntaxError)
	if ok {
		*target = se
	}
	return ok
}

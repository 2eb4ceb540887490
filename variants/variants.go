package variants

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/timewait/timewait/model"
)

// Variant is a named configuration of the model's rules.
type Variant struct {
	Name   string // stable kebab-case identifier
	Title  string // one line
	Source string // the RFC or source text the variant encodes
	Doc    string // what it changes and why, precisely
	// Sets lists the configuration fields (flag spellings) the variant
	// decides; a user may not also set them.
	Sets []string
	// FixedTW says the variant fixes TIME-WAIT's length: a sweep over TW is
	// meaningless, so sweeps vary MSL and report the largest MSL for which
	// each property holds.
	FixedTW bool
	// Configure, for a user's variant, sets the configuration fields it
	// decides (it may be nil). The built-in variants use an internal form.
	Configure func(model.Config) model.Config
	// Rules, for a user's variant, overrides individual rules of the model
	// (see model.Rules). Trace files record the variant's name and the
	// digest of its rules (model.RulesDigest); replay refuses a trace whose
	// variant is unknown or whose rules changed.
	Rules *model.Rules
	apply func(model.Config) model.Config
}

// Apply returns base with the variant's rules set. Fields the variant does
// not decide (MSL, fault budgets, incarnations, ...) keep base's values.
func (v Variant) Apply(base model.Config) model.Config {
	switch {
	case v.apply != nil:
		base = v.apply(base)
	case v.Configure != nil:
		base = v.Configure(base)
	}
	if v.Rules != nil {
		base.Rules = v.Rules
	}
	return base
}

// Holds reports whether cfg already carries the variant's rules: applying
// the variant changes nothing. Replay uses it to refuse a trace whose
// configuration no longer matches its variant.
func (v Variant) Holds(cfg model.Config) bool { return v.Apply(cfg) == cfg }

// Digest is model.RulesDigest of the variant's rule overrides ("" when it
// has none).
func (v Variant) Digest() (string, error) { return model.RulesDigest(v.Rules) }

// Default is the name of the variant that is the model's default rules.
const Default = "rfc1337"

// All returns the catalogue in a fixed order; the slice is fresh.
func All() []Variant {
	return []Variant{
		{
			Name:   "rfc1337",
			Title:  "RFC 9293 with RFC 1337's fix: an RST is ignored in TIME-WAIT (the model's default rules)",
			Source: "RFC 1337 fix F1: \"Ignore RST segments in TIME-WAIT state\"; Linux with tcp_rfc1337=1",
			Doc: "TIME-WAIT lasts --tw ticks and is restarted only by a copy of the peer's FIN; an RST that arrives in " +
				"TIME-WAIT is ignored, so an old duplicate cannot assassinate it.",
			Sets:  []string{"tw-rst"},
			apply: func(c model.Config) model.Config { c.TWRst = model.RstIgnore; return c },
		},
		{
			Name:   "rfc793",
			Title:  "RFC 793 as written: an RST closes TIME-WAIT (assassination is possible)",
			Source: "RFC 793 §3.9 and RFC 9293 §3.10.7.4, second check, RST bit, for CLOSING, LAST-ACK and TIME-WAIT: enter CLOSED and delete the TCB; RFC 1337 names the hazard (TIME-WAIT assassination)",
			Doc: "As rfc1337, except that an acceptable RST arriving in TIME-WAIT closes the connection at once: an " +
				"old duplicate that provokes an RST from the peer ends TIME-WAIT early (TIME-WAIT assassination).",
			Sets:  []string{"tw-rst"},
			apply: func(c model.Config) model.Config { c.TWRst = model.RstClose; return c },
		},
		{
			Name:   "no-timewait",
			Title:  "no TIME-WAIT at all: the active closer goes straight to CLOSED",
			Source: "what RFC 9293 §3.6.1 (MUST-13: \"it MUST linger in the TIME-WAIT state for a time 2xMSL\") forbids; stacks short of memory have been configured this way",
			Doc: "TIME-WAIT of length 0: the active closer reaches CLOSED at the instant it would enter TIME-WAIT. " +
				"TIME-WAIT's length is fixed, so a sweep varies MSL.",
			Sets:    []string{"tw"},
			FixedTW: true,
			apply:   func(c model.Config) model.Config { c.TW = 0; return c },
		},
		{
			Name:   "so-linger-zero",
			Title:  "the active closer closes with SO_LINGER {on, 0}: an RST instead of a FIN, and no TIME-WAIT",
			Source: "RFC 9293 §3.10.5 (ABORT: send <SEQ=SND.NXT><CTL=RST>, delete the TCB); Linux __tcp_close → tcp_disconnect with a zero linger time",
			Doc: "A's first incarnation aborts instead of closing: it sends an RST and is CLOSED at once, so it never " +
				"holds TIME-WAIT and may reconnect immediately. TIME-WAIT's length is irrelevant (no endpoint enters " +
				"TIME-WAIT), so a sweep varies MSL.",
			Sets:    []string{"close"},
			FixedTW: true,
			apply:   func(c model.Config) model.Config { c.CloseMode = model.CloseAbort; return c },
		},
		{
			Name:   "fin-timeout",
			Title:  "an orphaned FIN-WAIT-2 gives up after 2·MSL (Linux tcp_fin_timeout, default 60 s)",
			Source: "Linux ip-sysctl tcp_fin_timeout: \"The length of time an orphaned (no longer referenced by any application) connection will remain in the FIN_WAIT_2 state before it is aborted at the local end\" (default 60 s, TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN)",
			Doc: "A closed endpoint in FIN-WAIT-2 closes silently after --fin-timeout = 2·MSL ticks if the peer's FIN has " +
				"not come (Linux's default equals its TIME-WAIT length, 60 s, which is 2·MSL for a 30 s MSL). Nothing " +
				"bounds when the peer's application closes, so its FIN can arrive after that.",
			Sets:  []string{"fin-timeout"},
			apply: func(c model.Config) model.Config { c.FinTimeout = 2 * c.MSL; return c },
		},
		{
			Name:   "port-skip",
			Title:  "the client never reuses a 4-tuple in TIME-WAIT: its next connection takes the next free port",
			Source: "a client whose ephemeral port choice skips ports whose 4-tuple is still in TIME-WAIT",
			Doc: "A's next connection uses a different local port, so this 4-tuple has only one incarnation: old " +
				"segments can never meet a new connection on it (modelled as --incarnations 1; the other 4-tuple is " +
				"a separate, independent instance of the model). Whether a property still needs TIME-WAIT then depends " +
				"only on the first reason (the retransmitted FIN).",
			Sets:  []string{"incarnations"},
			apply: func(c model.Config) model.Config { c.Incarnations = 1; return c },
		},
	}
}

// Catalogue is a set of variants: the built-in ones and any a program
// registers. It is a value the program owns, not a global registry.
type Catalogue struct {
	vs []Variant
}

// Builtin returns a fresh catalogue holding the built-in variants.
func Builtin() *Catalogue { return &Catalogue{vs: All()} }

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Register adds a user's variant. Its name must be kebab-case and new
// (not "default", not taken); it must have a title and set something
// (Configure or Rules); its Rules must build a model (model.RulesDigest
// succeeds).
func (c *Catalogue) Register(v Variant) error {
	switch {
	case !kebab.MatchString(v.Name):
		return fmt.Errorf("variant name %q is not kebab-case (e.g. my-stack)", v.Name)
	case v.Name == "default":
		return fmt.Errorf("variant name %q is reserved", v.Name)
	case v.Title == "":
		return fmt.Errorf("variant %s: empty title", v.Name)
	case v.apply != nil:
		return fmt.Errorf("variant %s: a built-in variant cannot be registered again", v.Name)
	case v.Configure == nil && v.Rules == nil:
		return fmt.Errorf("variant %s: sets nothing (give Configure or Rules)", v.Name)
	}
	if _, ok := c.ByName(v.Name); ok {
		return fmt.Errorf("variant %s is already in the catalogue", v.Name)
	}
	if _, ok := ByName(v.Name); ok {
		return fmt.Errorf("variant %s is already in the catalogue (a built-in name)", v.Name)
	}
	if _, err := v.Digest(); err != nil {
		return fmt.Errorf("variant %s: %v", v.Name, err)
	}
	c.vs = append(c.vs, v)
	return nil
}

// ByName returns the variant with that name.
func (c *Catalogue) ByName(name string) (Variant, bool) {
	for _, v := range c.vs {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Names lists the catalogue's names in order (built-ins first).
func (c *Catalogue) Names() []string {
	var out []string
	for _, v := range c.vs {
		out = append(out, v.Name)
	}
	return out
}

// ByName returns the built-in variant with that name.
func ByName(name string) (Variant, bool) {
	for _, v := range All() {
		if v.Name == name {
			return v, true
		}
	}
	return Variant{}, false
}

// Lookup is ByName with an error naming the known variants.
func Lookup(name string) (Variant, error) {
	if v, ok := ByName(name); ok {
		return v, nil
	}
	return Variant{}, fmt.Errorf("unknown variant %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names lists every variant name in catalogue order.
func Names() []string {
	var out []string
	for _, v := range All() {
		out = append(out, v.Name)
	}
	return out
}

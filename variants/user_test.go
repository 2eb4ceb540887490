package variants_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/traces"
	"github.com/timewait/timewait/variants"
	"github.com/timewait/timewait/verify"
)

// rfc793Rules re-implements the built-in rfc793 variant's RST rule in
// TIME-WAIT (RFC 9293 §3.10.7.4, second check) as a rule override, so that
// the override mechanism can be checked against the configuration switch.
func rfc793Rules() *model.Rules {
	return &model.Rules{Segment: func(_ model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
		if e.St != model.TimeWait || !g.Flags.Has(model.RST) {
			return model.Reaction{}, false
		}
		switch {
		case !model.Acceptable(g, e.RcvNxt):
			return model.Reaction{Endpoint: e, Note: "drop out-of-window RST"}, true
		case g.Seq != e.RcvNxt:
			ack := model.AckFor(e)
			return model.Reaction{Endpoint: e, Reply: &ack, Note: "inexact RST: challenge ACK"}, true
		}
		return model.Reaction{Endpoint: e.Closed(), Note: "RST closes TIME-WAIT (RFC 793)"}, true
	}}
}

// TestUserRulesMatchBuiltin checks that a rule override reproduces the
// built-in rfc793 variant exactly: the same verdicts, state counts and
// counterexamples.
func TestUserRulesMatchBuiltin(t *testing.T) {
	user := variants.Variant{Name: "my-rfc793", Title: "RFC 793's RST rule, as an override", Rules: rfc793Rules()}
	builtin, ok := variants.ByName("rfc793")
	require.True(t, ok)
	// RFC 793's rule lets TIME-WAIT be assassinated, which makes the space
	// large (tens of millions of states at MSL 1): stop once decided, and
	// bound the search; both runs must agree on everything either way.
	props := properties.Safety()
	for _, tw := range []int{1, 2, 3} {
		base := model.DefaultConfig()
		base.TW = tw
		opts := verify.Options{NoWitnesses: true, StopEarly: true, MaxStates: 300000, Workers: 1}
		a, err := verify.Check(context.Background(), builtin.Apply(base), props, opts)
		require.NoError(t, err)
		opts.Workers = 2
		b, err := verify.Check(context.Background(), user.Apply(base), props, opts)
		require.NoError(t, err)
		require.Equal(t, a.Complete, b.Complete)
		require.Equal(t, a.States, b.States, "tw=%d", tw)
		require.Equal(t, a.Transitions, b.Transitions, "tw=%d", tw)
		for i := range a.Outcomes {
			oa, ob := a.Outcomes[i], b.Outcomes[i]
			require.Equal(t, oa.Verdict, ob.Verdict, "tw=%d %s", tw, oa.Property.ID)
			if oa.Path != nil {
				require.Equal(t, oa.Path.Len(), ob.Path.Len())
				for k := range oa.Path.Steps {
					require.Equal(t, oa.Path.Steps[k].State, ob.Path.Steps[k].State)
					require.Equal(t, oa.Path.Steps[k].Label.Action, ob.Path.Steps[k].Label.Action)
				}
			}
		}
	}
}

func TestRulesDigest(t *testing.T) {
	d0, err := model.RulesDigest(nil)
	require.NoError(t, err)
	require.Empty(t, d0)
	d1, err := model.RulesDigest(rfc793Rules())
	require.NoError(t, err)
	d2, err := model.RulesDigest(rfc793Rules())
	require.NoError(t, err)
	require.Equal(t, d1, d2, "a digest is a function of behaviour, not of the closure's address")
	require.Len(t, d1, 32)

	// Changing what the rule does on a reachable input changes the digest.
	quiet := rfc793Rules()
	inner := quiet.Segment
	quiet.Segment = func(s model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
		r, ok := inner(s, e, g)
		if ok && r.Reply != nil {
			r.Reply = nil // no challenge ACK
		}
		return r, ok
	}
	d3, err := model.RulesDigest(quiet)
	require.NoError(t, err)
	require.NotEqual(t, d1, d3)

	tw := &model.Rules{TimeWait: func(inc uint8) int { return int(inc) }}
	d4, err := model.RulesDigest(tw)
	require.NoError(t, err)
	tw5 := &model.Rules{TimeWait: func(inc uint8) int { return int(inc) + 1 }}
	d5, err := model.RulesDigest(tw5)
	require.NoError(t, err)
	require.NotEqual(t, d4, d5)
}

func TestRegister(t *testing.T) {
	ok := variants.Variant{Name: "my-stack", Title: "mine", Rules: rfc793Rules()}
	for name, tc := range map[string]struct {
		v    variants.Variant
		want string
	}{
		"bad name":    {variants.Variant{Name: "My Stack", Title: "x", Rules: rfc793Rules()}, "kebab-case"},
		"reserved":    {variants.Variant{Name: "default", Title: "x", Rules: rfc793Rules()}, "reserved"},
		"no title":    {variants.Variant{Name: "a", Rules: rfc793Rules()}, "empty title"},
		"sets none":   {variants.Variant{Name: "a", Title: "x"}, "sets nothing"},
		"taken":       {variants.Variant{Name: "rfc793", Title: "x", Rules: rfc793Rules()}, "already"},
		"bad timer":   {variants.Variant{Name: "a", Title: "x", Rules: &model.Rules{TimeWait: func(uint8) int { return 500 }}}, "does not fit"},
		"builtin dup": {func() variants.Variant { v, _ := variants.ByName("rfc793"); v.Name = "z"; return v }(), "built-in"},
	} {
		c := variants.Builtin()
		err := c.Register(tc.v)
		require.ErrorContains(t, err, tc.want, name)
	}
	var zero variants.Catalogue
	require.ErrorContains(t, zero.Register(variants.Variant{Name: "rfc793", Title: "x", Rules: rfc793Rules()}), "built-in name")
	c := variants.Builtin()
	require.NoError(t, c.Register(ok))
	require.ErrorContains(t, c.Register(ok), "already")
	got, found := c.ByName("my-stack")
	require.True(t, found)
	require.Equal(t, "my-stack", got.Name)
	require.Equal(t, append(variants.Names(), "my-stack"), c.Names())
}

// TestUserVariantTraceFile checks the trace-file contract: the file names
// the variant and records its digest; replay needs a catalogue that has it,
// and refuses it when its rules changed.
func TestUserVariantTraceFile(t *testing.T) {
	v := variants.Variant{Name: "my-rfc793", Title: "RFC 793's RST rule, as an override", Rules: rfc793Rules()}
	p, _ := properties.ByID("no-stale-segment-accepted")
	cfg := v.Apply(model.DefaultConfig())
	rep, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{NoWitnesses: true, StopEarly: true})
	require.NoError(t, err)
	require.NotNil(t, rep.Outcomes[0].Path, "RFC 793's rule lets an old duplicate assassinate TIME-WAIT")
	tr, _, err := traces.FromPath(rep.Config, p, traces.SearchShortest, rep.Outcomes[0].Path)
	require.NoError(t, err)
	require.Equal(t, traces.UnnamedRules, tr.Variant, "rules no variant names yet")
	require.ErrorContains(t, traces.Encode(&bytes.Buffer{}, tr), "no variant names")
	rfc1337, _ := variants.ByName("rfc1337")
	require.ErrorContains(t, tr.SetVariant(rfc1337), "built in", "a built-in name must not cover user rules")
	claim := tr
	claim.Variant, claim.User = "rfc1337", nil
	_, err = traces.Replay(claim)
	require.ErrorContains(t, err, "rule overrides", "a trace may not claim a built-in variant while carrying rules")
	require.NoError(t, tr.SetVariant(v))
	_, err = traces.Replay(tr)
	require.NoError(t, err, "an attached user variant replays")

	var buf bytes.Buffer
	require.NoError(t, traces.Encode(&buf, tr))
	require.Contains(t, buf.String(), `"variant": "my-rfc793"`)
	require.Contains(t, buf.String(), `"variant_digest"`)
	back, err := traces.Decode(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)

	_, err = traces.Replay(back)
	require.ErrorContains(t, err, `unknown variant "my-rfc793"`)

	cat := variants.Builtin()
	require.NoError(t, cat.Register(v))
	r, err := traces.ReplayIn(back, cat)
	require.NoError(t, err)
	require.Len(t, r.Steps, len(back.Actions))

	changed := variants.Builtin()
	w := v
	w.Rules = &model.Rules{Segment: func(s model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
		if e.St == model.TimeWait && g.Flags.Has(model.RST) {
			return model.Reaction{Endpoint: e, Note: "ignore RST"}, true
		}
		return model.Reaction{}, false
	}}
	require.NoError(t, changed.Register(w))
	_, err = traces.ReplayIn(back, changed)
	require.ErrorContains(t, err, "rules changed")

	// A built-in variant's trace must not carry a digest.
	bad := back
	bad.Variant = "rfc793"
	_, err = traces.Replay(bad)
	require.ErrorContains(t, err, "no rule overrides")
}

// TestRuleErrorsAreModelErrors checks that an override returning a value
// the model cannot represent is reported, never truncated.
func TestRuleErrorsAreModelErrors(t *testing.T) {
	p, _ := properties.ByID("no-stale-segment-accepted")
	for name, r := range map[string]*model.Rules{
		"iss out of space": {ISS: func(model.State, model.Side) []model.Seq { return []model.Seq{9} }},
		"iss empty":        {ISS: func(model.State, model.Side) []model.Seq { return nil }},
		"bad endpoint": {Segment: func(_ model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
			e.RcvNxt = 200
			return model.Reaction{Endpoint: e}, g.Flags.Has(model.FIN)
		}},
		"forgotten endpoint": {Segment: func(_ model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
			return model.Reaction{Note: "oops"}, e.St == model.FinWait2
		}},
		"off timer with a count": {Segment: func(_ model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
			e.Rtx[0] = model.Timer{Tries: 8}
			return model.Reaction{Endpoint: e}, g.Flags.Has(model.FIN)
		}},
	} {
		cfg := model.DefaultConfig()
		cfg.Rules = r
		_, err := verify.Check(context.Background(), cfg, []properties.Property{p}, verify.Options{NoWitnesses: true})
		var me *verify.ModelError
		require.ErrorAs(t, err, &me, name)
		require.True(t, strings.Contains(me.What, "rule override"), name)
	}
	cfg := model.DefaultConfig()
	cfg.Rules = &model.Rules{RTO: func(int) int { return 0 }}
	_, err := model.New(cfg)
	require.ErrorContains(t, err, "RTO(0)")
}

// TestRuleReplyGhosts checks that the model, not the rule, sets a reply's
// ghost fields: a rule that answers like the model's CLOSED handler sends
// orphan RSTs, as the model's own handler does.
func TestRuleReplyGhosts(t *testing.T) {
	cfg := model.DefaultConfig()
	cfg.TW = 0
	cfg.Rules = &model.Rules{Segment: func(_ model.Side, e model.Endpoint, g model.Segment) (model.Reaction, bool) {
		if e.St != model.Closed || g.Flags.Has(model.RST) || !g.Flags.Has(model.ACK) {
			return model.Reaction{}, false
		}
		rst := model.Segment{Flags: model.RST, Seq: g.Ack, Inc: g.Inc, Rtx: true}
		return model.Reaction{Endpoint: e, Reply: &rst, Note: "RST"}, true
	}}
	m, err := model.New(cfg)
	require.NoError(t, err)
	seen := map[model.State]bool{}
	queue := m.Init()
	replies := 0
	for len(queue) > 0 && len(seen) < 20000 {
		s := queue[0]
		queue = queue[1:]
		m.Successors(s, func(l model.Label, n model.State) {
			if l.Note == "RST" {
				replies++
				require.Equal(t, 1, int(l.NSent))
				require.True(t, l.Sent[0].Orphan, "a reply from CLOSED is an orphan")
				require.False(t, l.Sent[0].Rtx, "a reply is not a retransmission")
			}
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		})
	}
	require.Positive(t, replies)
}

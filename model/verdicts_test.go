package model_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/verify"
)

// These tests pin the verdicts of --close abort and --fin-timeout measured
// for docs/model.md ("Close mode and FIN-WAIT-2 timeout"), each with the
// reason it comes out that way. They check at MSL 1 and, to stay fast, mostly
// with no loss and no duplication: every violation below needs no fault, so
// the budgets do not change the verdicts (the default budgets are checked too
// unless -short). verify.Check returns a ModelError on a deadlock or a
// time-lock, so every check here also shows that the new rules leave none.

// sometimes is a reachability goal on transitions.
func sometimes(id string, step func(from model.State, l model.Label, to model.State) bool) properties.Property {
	return properties.Property{ID: id, Kind: properties.Sometimes, Title: id, Step: step}
}

// bFINAnsweredWithRST: B's FIN of its first incarnation, sent by its TCB, is
// delivered and the step emits an RST.
var bFINAnsweredWithRST = sometimes("b-fin-answered-with-rst", func(_ model.State, l model.Label, _ model.State) bool {
	g := l.Action.Seg
	return l.Action.Kind == model.ActDeliver && g.Src == model.B && g.Flags.Has(model.FIN) && g.Inc == 1 && !g.Orphan && l.EmittedRST()
})

// bSendsFIN: B emits a FIN.
var bSendsFIN = sometimes("b-sends-fin", func(from model.State, l model.Label, to model.State) bool {
	for _, g := range l.Emitted() {
		if g.Src == model.B && g.Flags.Has(model.FIN) {
			return true
		}
	}
	return false
})

// someTimeWait: some endpoint is in TIME-WAIT.
var someTimeWait = sometimes("some-time-wait", func(_ model.State, _ model.Label, to model.State) bool {
	return to.Ends[model.A].St == model.TimeWait || to.Ends[model.B].St == model.TimeWait
})

func check(t *testing.T, cfg model.Config, props []properties.Property, opts verify.Options) map[string]verify.Outcome {
	t.Helper()
	opts.NoWitnesses = true
	rep, err := verify.Check(context.Background(), cfg, props, opts)
	require.NoError(t, err, "no model error: no deadlock, no overflow")
	out := map[string]verify.Outcome{}
	for _, o := range rep.Outcomes {
		out[o.Property.ID] = o
	}
	return out
}

// faults counts the drops and duplications of a run.
func faults(p *verify.Path) int {
	n := 0
	for _, st := range p.Steps {
		if k := st.Label.Action.Kind; k == model.ActDrop || k == model.ActDuplicate {
			n++
		}
	}
	return n
}

func cfgAt(tw int, edit func(*model.Config)) model.Config {
	c := model.DefaultConfig()
	c.MSL, c.TW, c.Loss, c.Dup = 1, tw, 0, 0
	edit(&c)
	return c
}

func abortCfg(c *model.Config) { c.CloseMode = model.CloseAbort }

// TestCloseAbortVerdicts: with SO_LINGER 0 on A's close, TIME-WAIT never
// happens, so its length is irrelevant and it protects nothing.
func TestCloseAbortVerdicts(t *testing.T) {
	stale, reset, noRST := properties.NoStaleSegmentAccepted(), properties.NoStaleReset(), properties.NoRSTOnRetransmittedFIN()
	for _, tw := range []int{0, 8} {
		out := check(t, cfgAt(tw, abortCfg), []properties.Property{stale, noRST, bSendsFIN, someTimeWait}, verify.Options{})
		// A's ACK of B's data octet leaves before the abort's RST; the RST
		// resets B, which listens again; A connects at once (no TIME-WAIT)
		// and the old ACK is taken as the new handshake's ACK in
		// SYN-RECEIVED: six steps, no fault, whatever TW is.
		require.Equal(t, checker.Violated, out[stale.ID].Verdict, "tw=%d", tw)
		require.Equal(t, 6, out[stale.ID].Path.Len(), "tw=%d", tw)
		require.Zero(t, faults(out[stale.ID].Path), "tw=%d", tw)
		// no-rst-on-retransmitted-fin holds only vacuously: B closes from
		// CLOSE-WAIT (a-then-b), which needs A's FIN, and A sends none, so
		// B never sends a FIN; and no endpoint ever enters TIME-WAIT.
		require.Equal(t, checker.Holds, out[noRST.ID].Verdict, "tw=%d", tw)
		require.Equal(t, checker.NotFound, out[bSendsFIN.ID].Verdict, "tw=%d", tw)
		require.Equal(t, checker.NotFound, out[someTimeWait.ID].Verdict, "tw=%d", tw)
	}
	// The same old ACK reaches B in LISTEN, whose RST (orphan, tagged 1)
	// then resets A's new incarnation: eight steps, no fault.
	out := check(t, cfgAt(2, abortCfg), []properties.Property{reset}, verify.Options{StopEarly: true})
	require.Equal(t, checker.Violated, out[reset.ID].Verdict)
	require.Equal(t, 8, out[reset.ID].Path.Len())
	require.Zero(t, faults(out[reset.ID].Path))
	// With the default fault budgets (1 loss, 1 duplicate), the same.
	if testing.Short() {
		return
	}
	c := cfgAt(2, abortCfg)
	c.Loss, c.Dup = 1, 1
	out = check(t, c, []properties.Property{stale, noRST, bSendsFIN, someTimeWait}, verify.Options{})
	require.Equal(t, 6, out[stale.ID].Path.Len())
	require.Equal(t, checker.Holds, out[noRST.ID].Verdict)
	require.Equal(t, checker.NotFound, out[bSendsFIN.ID].Verdict)
	require.Equal(t, checker.NotFound, out[someTimeWait.ID].Verdict)
}

// TestCloseAbortOtherOrders: under a-first, B may close once A has aborted,
// and its FIN meets the closed A: a FIN answered with an RST, which
// no-rst-on-retransmitted-fin does not see (A never entered TIME-WAIT).
func TestCloseAbortOtherOrders(t *testing.T) {
	c := cfgAt(2, func(c *model.Config) { c.CloseMode, c.CloseOrder = model.CloseAbort, model.AFirst })
	out := check(t, c, []properties.Property{properties.NoRSTOnRetransmittedFIN(), bFINAnsweredWithRST}, verify.Options{})
	require.Equal(t, checker.Found, out[bFINAnsweredWithRST.ID].Verdict)
	require.Equal(t, checker.Holds, out["no-rst-on-retransmitted-fin"].Verdict)
}

// TestFinTimeoutVerdicts: an orphaned FIN-WAIT-2 that gives up lets B's FIN
// meet a closed A (RST) and lets A reconnect while B's FIN is in flight. B's
// application may close whenever it likes once it has A's FIN, so no
// FIN-WAIT-2 timeout is long enough: the violations hold for every N ≥ 1 and
// every TW.
func TestFinTimeoutVerdicts(t *testing.T) {
	stale, noRST := properties.NoStaleSegmentAccepted(), properties.NoRSTOnRetransmittedFIN()
	for _, c := range []struct{ fin, tw int }{{1, 2}, {2, 2}, {4, 2}, {4, 8}, {40, 2}} {
		cfg := cfgAt(c.tw, func(m *model.Config) { m.FinTimeout = c.fin })
		out := check(t, cfg, []properties.Property{stale, noRST, bFINAnsweredWithRST}, verify.Options{})
		// The RST the variant is about: B closes late, A's FIN-WAIT-2
		// times out first, B's FIN reaches CLOSED (§3.10.7.1).
		require.Equal(t, checker.Found, out[bFINAnsweredWithRST.ID].Verdict, "%+v", c)
		// no-rst-on-retransmitted-fin does not see that RST: it speaks of
		// sides that entered TIME-WAIT in the FIN's incarnation, and A
		// left FIN-WAIT-2 for CLOSED, never TIME-WAIT. It holds at TW = 2·MSL
		// as without the timer.
		require.Equal(t, checker.Holds, out[noRST.ID].Verdict, "%+v", c)
		// A reconnects at once after the timeout; B's FIN (sent just before
		// it) is accepted by the new incarnation. No fault needed.
		require.Equal(t, checker.Violated, out[stale.ID].Verdict, "%+v", c)
		require.Zero(t, faults(out[stale.ID].Path), "%+v", c)
	}
	// Without the timer (the default) neither happens at TW = 2·MSL.
	out := check(t, cfgAt(2, func(*model.Config) {}), []properties.Property{stale, bFINAnsweredWithRST}, verify.Options{})
	require.Equal(t, checker.NotFound, out[bFINAnsweredWithRST.ID].Verdict)
	require.Equal(t, checker.Holds, out[stale.ID].Verdict)
	if testing.Short() {
		return
	}
	cfg := cfgAt(2, func(m *model.Config) { m.FinTimeout, m.Loss, m.Dup = 4, 1, 1 })
	out = check(t, cfg, []properties.Property{stale, noRST, bFINAnsweredWithRST}, verify.Options{})
	require.Equal(t, checker.Found, out[bFINAnsweredWithRST.ID].Verdict)
	require.Equal(t, checker.Holds, out[noRST.ID].Verdict)
	require.Equal(t, checker.Violated, out[stale.ID].Verdict)
}

// TestNewRulesCovered: the new rules show in the coverage table (timewait
// check --coverage): the abort as ESTABLISHED × CLOSE, the FIN-WAIT-2 timer
// as FIN-WAIT-2 × fin-timeout, which never fires without --fin-timeout.
func TestNewRulesCovered(t *testing.T) {
	count := func(cfg model.Config, h model.Handler) int {
		cov := verify.NewCoverage()
		check(t, cfg, []properties.Property{properties.NoRSTOnRetransmittedFIN()}, verify.Options{Coverage: cov})
		for _, hc := range cov.All() {
			if hc.Handler == h {
				return hc.Count
			}
		}
		t.Fatalf("coverage has no row %s", h)
		return 0
	}
	fin2 := model.Handler{State: model.FinWait2, Event: model.EvFinTimeout}
	require.Positive(t, count(cfgAt(2, func(c *model.Config) { c.FinTimeout = 1 }), fin2))
	require.Zero(t, count(cfgAt(2, func(*model.Config) {}), fin2))
	require.Positive(t, count(cfgAt(2, abortCfg), model.Handler{State: model.Established, Event: model.EvClose}))
}

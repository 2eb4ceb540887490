package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
	"github.com/timewait/timewait/verify"
)

// TestPackedLevelsMatchPlain checks the TCP model's searches with every
// level after the first packed (checker.Options.PackLevel 1) against the
// same searches with none: the same report, counterexamples and witnesses
// included, on configurations where the properties hold and where they
// fail, with timestamps, three incarnations, the Linux rules and the
// sequence-faithful mode, on one worker and two, each search bounded at
// 200,000 states (most stop there, incomplete). Only the time and the
// memory figures may differ.
func TestPackedLevelsMatchPlain(t *testing.T) {
	cases := []struct {
		name string
		edit func(c *model.Config)
	}{
		{"msl1 tw2", func(c *model.Config) {}},
		{"msl1 tw1 (violated)", func(c *model.Config) { c.TW = 1 }},
		{"msl1 tw2 dup2 incarnations3", func(c *model.Config) { c.Dup, c.Incarnations = 2, 3 }},
		{"timestamps b-then-a rfc6191", func(c *model.Config) {
			c.CloseOrder, c.TWSyn, c.Timestamps, c.Dup = model.BThenA, model.SynRFC6191, true, 0
		}},
		{"linux rules", func(c *model.Config) {
			c.TW, c.RTO, c.Backoff = 2, 1, 1
			c.TWRules, c.TWSyn, c.Timestamps, c.TWRst, c.Dup = model.TWRulesLinux, model.SynLinux, true, model.RstClose, 0
		}},
		{"seq16 isn-clock", func(c *model.Config) { c.SeqSpace, c.ISNClock, c.DataLen = 16, 3, 2 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := model.DefaultConfig()
			c.edit(&cfg)
			for _, w := range []int{1, 2} {
				run := func(pack int) (verify.Report, int64) {
					rep, err := verify.Check(context.Background(), cfg, properties.Safety(), verify.Options{Workers: w, PackLevel: pack, MaxStates: 200_000})
					require.NoError(t, err)
					peak := rep.PeakBytes
					rep.Seconds, rep.PeakBytes = 0, 0
					for i := range rep.Outcomes {
						o := &rep.Outcomes[i]
						// The property's functions are not comparable: keep its ID.
						o.Seconds, o.Property = 0, properties.Property{ID: o.Property.ID}
					}
					return rep, peak
				}
				plain, plainPeak := run(-1)
				packed, packedPeak := run(1)
				require.Equal(t, plain, packed, "%d workers", w)
				require.Greater(t, plain.States, 1000, "a search of several levels")
				// The levels were packed: the memory figures differ. (Levels
				// this small are no smaller packed: the arrays' growth is
				// reserved at the longest encoding, a batch at a time, and
				// the candidate buffers and the visited set dominate.)
				require.NotEqual(t, plainPeak, packedPeak, "%d workers", w)
			}
		})
	}
}

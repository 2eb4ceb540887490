package verify

import (
	"context"
	"testing"

	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/properties"
)

// BenchmarkCheckDefault explores the default configuration at MSL 1 and 2
// (TW = 2·MSL) with the two TIME-WAIT properties and reports states/s,
// transitions/s and the states explored.
func BenchmarkCheckDefault(b *testing.B) {
	for _, msl := range []int{1, 2} {
		b.Run(map[int]string{1: "msl=1", 2: "msl=2"}[msl], func(b *testing.B) {
			cfg := model.DefaultConfig()
			cfg.MSL, cfg.TW = msl, 2*msl
			props := properties.Safety()[:2]
			var states, trans int
			var secs float64
			for i := 0; i < b.N; i++ {
				rep, err := Check(context.Background(), cfg, props, Options{NoWitnesses: true})
				if err != nil {
					b.Fatal(err)
				}
				states, trans, secs = states+rep.States, trans+rep.Transitions, secs+rep.Seconds
			}
			b.ReportMetric(float64(states)/secs, "states/s")
			b.ReportMetric(float64(trans)/secs, "transitions/s")
			b.ReportMetric(float64(states)/float64(b.N), "states")
		})
	}
}

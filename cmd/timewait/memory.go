package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"unsafe"

	"github.com/timewait/timewait/checker"
	"github.com/timewait/timewait/model"
	"github.com/timewait/timewait/verify"
)

// bytesPerState estimates the memory per state of the searches that keep
// every state in full (the fewest-faults search and compare's product): the
// state itself, its parent index and emission ordinal, and its share of the
// table.
const bytesPerState = int(unsafe.Sizeof(model.State{})) + 8 + 11

// defaultMemory is --memory's default: a fraction of the memory the system
// reports available when the command starts.
const defaultMemory = "70%"

// meminfo returns a field of /proc/meminfo in bytes (0 when unreadable).
func meminfo(field string) int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == field+":" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// memoryGuard returns the state bound of the full-state searches when
// --max-states is not given: 70% of the available memory divided by
// bytesPerState. 0 when memory cannot be read.
func memoryGuard() int {
	return int(float64(meminfo("MemAvailable")) * 0.7 / float64(bytesPerState))
}

// stateBound is --max-states, or the memory guard when it is 0. It bounds
// the searches that keep full states; the explorer is bounded by --memory.
func (f *modelFlags) stateBound() int {
	if *f.maxStates > 0 {
		return *f.maxStates
	}
	return memoryGuard()
}

// parseMemory reads --memory: a size with a unit (B, KB, MB, GB, TB or
// KiB, MiB, GiB, TiB), a percentage of the available memory ("70%"), or 0
// for no bound. It returns the bound in bytes and how it was set.
func parseMemory(s string) (int64, string, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, "none", nil
	}
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		p, err := strconv.ParseFloat(pct, 64)
		if err != nil || math.IsNaN(p) || p <= 0 || p > 100 {
			return 0, "", fmt.Errorf("--memory: %q is not a percentage in (0, 100]", s)
		}
		avail := meminfo("MemAvailable")
		if avail == 0 {
			return 0, "none (available memory unreadable)", nil
		}
		return int64(float64(avail) * p / 100), fmt.Sprintf("%s of available memory", s), nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || math.IsNaN(v) || v <= 0 || v*float64(u.mult) > 1<<62 {
				return 0, "", fmt.Errorf("--memory: %q is not a positive size", s)
			}
			if v*float64(u.mult) < 1<<20 {
				return 0, "", fmt.Errorf("--memory: %q is less than 1 MiB (0 means no bound)", s)
			}
			return int64(v * float64(u.mult)), "--memory " + s, nil
		}
	}
	return 0, "", fmt.Errorf("--memory: %q needs a unit (e.g. 4GiB, 500MB) or a percentage (e.g. 70%%), or 0 for none", s)
}

// maxWorkers bounds --workers: each level starts that many goroutines.
const maxWorkers = 256

// explorerOpts are the flags that tune the explorer without changing results.
type explorerOpts struct {
	workers   int
	store     checker.StoreMode
	maxMemory int64
	memNote   string // how the memory bound was set
	// noSymmetry is --no-symmetry: no A↔B symmetry reduction.
	noSymmetry bool
}

// explorer parses --workers, --store and --memory. A memory bound also sets
// the Go runtime's soft memory limit above it (by a quarter, at least 1 GiB,
// so that the searches the bound does not cover are not slowed down), so
// that the garbage collector returns the buffers the explorer has dropped
// before the process grows far past the bound.
func (f *modelFlags) explorer() (explorerOpts, error) {
	var o explorerOpts
	if *f.workers < 0 || *f.workers > maxWorkers {
		return o, fmt.Errorf("--workers: %d is not in 0..%d (0 = one per core)", *f.workers, maxWorkers)
	}
	o.workers, o.noSymmetry = *f.workers, *f.noSymmetry
	if o.workers == 0 {
		o.workers = runtime.GOMAXPROCS(0)
	}
	var err error
	if o.store, err = checker.ParseStoreMode(*f.store); err != nil {
		return o, fmt.Errorf("--store: %v", err)
	}
	if o.maxMemory, o.memNote, err = parseMemory(*f.memory); err != nil {
		return o, err
	}
	if o.maxMemory > 0 {
		debug.SetMemoryLimit(o.maxMemory + max(o.maxMemory/4, 1<<30))
	}
	return o, nil
}

// apply sets the explorer options of a verify run.
func (o explorerOpts) apply(v verify.Options) verify.Options {
	v.Workers, v.Store, v.MaxMemory, v.NoSymmetry = o.workers, o.store, o.maxMemory, o.noSymmetry
	return v
}

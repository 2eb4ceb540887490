package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/timewait/timewait/model"
)

// bytesPerState estimates the explorer's memory per stored state: the state
// itself, its parent index and emission ordinal, and its share of the
// open-addressing table (load ≤ 3/4, doubled while growing).
const bytesPerState = int(unsafe.Sizeof(model.State{})) + 8 + 11

// memoryGuard returns the state bound used when --max-states is not given:
// 70% of the machine's available memory (MemAvailable in /proc/meminfo)
// divided by bytesPerState, so that a search that would exhaust memory stops
// with an honest "incomplete" instead. 0 when memory cannot be read.
func memoryGuard() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.Atoi(fields[1])
			if err != nil {
				return 0
			}
			return int(float64(kb) * 1024 * 0.7 / float64(bytesPerState))
		}
	}
	return 0
}

// stateBound is --max-states, or the memory guard when it is 0.
func (f *modelFlags) stateBound() int {
	if *f.maxStates > 0 {
		return *f.maxStates
	}
	return memoryGuard()
}

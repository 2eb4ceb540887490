#!/bin/bash
# Regenerates cmd/timewait/default.pgo, the CPU profile that "go build" and
# "go install" of the timewait command use for profile-guided optimisation
# (Go's -pgo=auto: a default.pgo in a main package's directory applies to the
# whole build of that command). The profile comes from the two searches the
# command spends its time in: BenchmarkExplore's large configuration
# (checker.Check, as timewait check runs it) and BenchmarkSharedSearch at
# MSL 3 (checker.CheckFamily, the sweep's shared TW search), each on one and
# two workers. About 1 minute on 2 cores.
#
#   bash bench/pgo.sh            # rewrite cmd/timewait/default.pgo
#
# Re-run it after a change to the model or the explorers' inner loops, and
# commit the new profile with that change; a stale profile still builds
# correct code, only less of it is optimised.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/verify.test" ./verify
(cd verify && "$tmp/verify.test" -test.run '^$' -test.bench 'Explore/large|SharedSearch/msl=3' \
	-test.benchtime 2x -test.cpuprofile "$tmp/cpu.prof") | tee "$tmp/out.txt"
if [ "$(grep -c '^Benchmark' "$tmp/out.txt")" -ne 4 ]; then
	echo "pgo.sh: expected 4 benchmark results (Explore/large and SharedSearch/msl=3, 1 and 2 workers); the profile was not written" >&2
	exit 1
fi
cp "$tmp/cpu.prof" cmd/timewait/default.pgo
echo "wrote cmd/timewait/default.pgo ($(wc -c < cmd/timewait/default.pgo) bytes)"

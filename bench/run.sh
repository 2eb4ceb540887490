#!/usr/bin/env bash
# bench/run.sh: timewait and SPIN side by side on the same configurations (bench/README.md).
#
#   bash bench/run.sh                        # every configuration below
#   bash bench/run.sh --quick                # only those that finish in a second or two
#   bash bench/run.sh '--msl 1 --tw 5' ...   # these configurations (timewait check flags)
#
# For each configuration it runs `timewait check --exhaustive --search shortest` with the two
# TIME-WAIT properties, then SPIN on bench/timewait.pml with the configuration that timewait
# resolved (its JSON "config": RTO and grid made explicit), and prints one row: states,
# whether the counts agree, each tool's search time and their ratio. Where both properties
# hold, SPIN must store exactly timewait's states and count exactly one transition more (its
# initial state); where timewait finds a violation, SPIN must report an assertion violation
# (it stops at the first, so its counts are partial). Any other outcome is a disagreement,
# and the script exits 1. Exit 2: a tool failed to run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

quick=false
case "${1:-}" in
--quick)
	quick=true
	shift
	;;
-h | --help)
	echo "usage: bash bench/run.sh [--quick | 'TIMEWAIT-FLAGS' ...]" >&2
	exit 2
	;;
esac

# The configurations: timewait flags (MSL, TW, RTO, backoff, retries, loss, dup,
# incarnations, --late-faults; every convention at its default). The grid is the exact one for the two
# properties (verify.ExactGrid: 2 for a strict lifetime), given explicitly so that both tools
# use the same.
small=(
	"--msl 1 --tw 2"
	"--msl 1 --tw 2 --loss 0 --dup 0"
	"--msl 1 --tw 2 --loss 0 --dup 2"
	"--msl 1 --tw 2 --dup 2"
	"--msl 1 --tw 2 --incarnations 1"
	"--msl 1 --tw 2 --incarnations 3"
	"--msl 1 --tw 2 --backoff 1"
	"--msl 1 --tw 3 --rto 2"
	"--msl 1 --tw 4 --loss 2"
	"--msl 1 --tw 3 --loss 2 --backoff 1 --retries 4"
	"--msl 1 --tw 1 --loss 0 --dup 0"
	"--msl 1 --tw 3 --loss 2 --backoff 1 --retries 2"
	"--msl 1 --tw 2 --dup 2 --late-faults"
)
large=(
	"--msl 2 --tw 4"
	"--msl 2 --tw 4 --loss 0 --dup 2"
)
configs=("${small[@]}")
if [ $# -gt 0 ]; then
	configs=("$@")
elif ! $quick; then
	configs+=("${large[@]}")
fi
grid=2
props=(--property no-rst-on-retransmitted-fin --property no-stale-segment-accepted)

# SPIN: the reference setting of issue 7 (SPIN 6.5.2, -O2 -DSAFETY, -w26). The depth bound
# only has to exceed the deepest DFS stack (a few hundred steps here); the script checks
# that SPIN did not hit it.
spin_cc=(gcc -O2 -DSAFETY -DMEMLIM=8192)
spin_run=(-w26 -m100000)

die() {
	echo "bench/run.sh: $*" >&2
	exit 2
}

if ! command -v spin >/dev/null 2>&1; then
	echo "installing SPIN (Debian's spin package)..." >&2
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo=(sudo)
	fi
	"${sudo[@]}" apt-get install -y spin >&2 || {
		"${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y spin >&2
	} || die "could not install spin"
fi
command -v gcc >/dev/null 2>&1 || die "gcc is needed to compile SPIN's verifier"
command -v go >/dev/null 2>&1 || die "go is needed to build timewait"

work=$(mktemp -d "${TMPDIR:-/tmp}/timewait-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$root" && go build -o "$work/timewait" ./cmd/timewait) || die "go build failed"
# SPIN searches on one core; so does timewait, unless it has a --workers flag to say so.
if "$work/timewait" check -h 2>&1 | grep -q -- '-workers'; then
	props+=(--workers 1)
fi

# json_num FILE INDENT KEY: the first number under KEY at that indentation of timewait's
# --json output (2: the report, 4: its config, 6: a property's result).
json_num() {
	sed -n "s/^$(printf '%*s' "$2" '')\"$3\": \([0-9.eE+-]*\),\{0,1\}\$/\1/p" "$1" | head -n 1
}

# pan_num FILE PATTERN: the number before PATTERN in pan's output (printed with %g).
pan_num() {
	sed -n "s/^ *\([0-9][0-9.e+]*\) $2.*/\1/p" "$1" | head -n 1 | awk '{ printf "%.0f", $1 }'
}

spin_version=$(spin -V | sed -n 's/^Spin Version \([^ ]*\).*/\1/p')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "timewait $(cd "$root" && git describe --always --dirty 2>/dev/null || echo '?') vs SPIN $spin_version," \
	"$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores${cpu:+ ($cpu)}"
echo "timewait check --exhaustive --search shortest --grid $grid ${props[*]}"
echo "SPIN: spin -a -D...; ${spin_cc[*]} pan.c; ./pan ${spin_run[*]}"
echo
row() {
	printf '| %-50s | %-8s | %-11s | %10s | %10s | %11s | %11s | %-5s | %8s | %8s | %5s |\n' "$@"
}
row "configuration" "verdict" "timewait" "timewait" "SPIN" "timewait" "SPIN" "agree" "timewait" "SPIN" "ratio"
row "" "" "store" "states" "states" "transitions" "transitions" "" "s" "s" ""
echo "|$(printf -- '-%.0s' {1..52})|----------|-------------|------------|------------|-------------|-------------|-------|----------|----------|-------|"

bad=0
n=0
notes=()
for cfg in "${configs[@]}"; do
	n=$((n + 1))
	dir="$work/$n"
	mkdir -p "$dir"
	rc=0
	# shellcheck disable=SC2086 # cfg is a list of flags
	"$work/timewait" check --exhaustive --json --search shortest --grid "$grid" "${props[@]}" $cfg \
		>"$dir/tw.json" 2>"$dir/tw.err" || rc=$?
	case $rc in
	0) tw_verdict=holds ;;
	1) tw_verdict=violated ;;
	*)
		cat "$dir/tw.err" >&2
		die "timewait check $cfg: exit $rc"
		;;
	esac
	tw_states=$(json_num "$dir/tw.json" 2 states)
	tw_trans=$(json_num "$dir/tw.json" 6 transitions)
	tw_s=$(json_num "$dir/tw.json" 2 seconds)
	tw_store=$(sed -n 's/^    "store": "\([a-z]*\)".*/\1/p' "$dir/tw.json" | head -n 1)
	# bench/timewait.pml knows only the default conventions.
	for kv in lifetime=strict same_instant=any-order close_order=a-then-b close_mode=fin \
		tw_restart=fin tw_rst=ignore rtx=per-segment mutant=none data_unacked=false fin_timeout=0; do
		v=$(sed -n "s/^    \"${kv%%=*}\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$dir/tw.json" | head -n 1)
		[ "$v" = "${kv#*=}" ] || die "$cfg: ${kv%%=*} is '$v'; bench/timewait.pml has only ${kv#*=}"
	done
	defs=()
	for k in msl tw rto backoff retries loss dup incarnations grid; do
		v=$(json_num "$dir/tw.json" 4 "$k")
		[ -n "$v" ] || die "no config.$k in timewait's JSON"
		case $k in
		incarnations) defs+=("-DINCS=$v") ;;
		*) defs+=("-D${k^^}=$v") ;;
		esac
	done

	# Config.LateFaults: drops and duplications at every age (the JSON field is present only
	# when true).
	if grep -q '^    "late_faults": true' "$dir/tw.json"; then
		defs+=("-DLATE_FAULTS")
	fi

	(cd "$dir" && spin "${defs[@]}" -a "$here/timewait.pml" >spin.out 2>&1) ||
		{
			cat "$dir/spin.out" >&2
			die "spin -a failed"
		}
	(cd "$dir" && "${spin_cc[@]}" -o pan pan.c >cc.out 2>&1) || {
		cat "$dir/cc.out" >&2
		die "gcc pan.c failed"
	}
	(cd "$dir" && ./pan "${spin_run[@]}" >pan.out 2>&1) || true
	grep -q 'states, stored' "$dir/pan.out" || {
		cat "$dir/pan.out" >&2
		die "pan failed"
	}
	sp_states=$(pan_num "$dir/pan.out" 'states, stored')
	sp_trans=$(pan_num "$dir/pan.out" 'transitions')
	sp_errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.out" | head -n 1)
	sp_s=$(sed -n 's/^pan: elapsed time \([0-9.e+-]*\) seconds.*/\1/p' "$dir/pan.out" | head -n 1)
	if grep -q 'max search depth too small' "$dir/pan.out"; then
		die "pan hit its depth bound (${spin_run[*]}): raise -m"
	fi

	if [ "$tw_verdict" = holds ]; then
		verdict=holds
		if [ "$sp_errors" = 0 ] && [ "$sp_states" = "$tw_states" ] && [ "$sp_trans" = $((tw_trans + 1)) ]; then
			agree=yes
		else
			agree=NO
			bad=1
			{
				echo "DISAGREEMENT on $cfg: timewait $tw_states states, $tw_trans transitions, holds;" \
					"SPIN $sp_states states, $sp_trans transitions, $sp_errors errors"
				grep -E 'pan:|violated|invalid end' "$dir/pan.out" | head -n 5
			} >&2
		fi
		ratio=$(awk -v a="$tw_s" -v b="$sp_s" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	else
		# SPIN stops at its first error: compare verdicts only. The assertion it reports
		# must name a property timewait finds violated.
		sp_prop=$(sed -n 's/.*assertion violated \([A-Za-z]*\).*/\1/p' "$dir/pan.out" | head -n 1 |
			sed 's/\([A-Z]\)/-\L\1/g')
		tw_violated=$(awk '/^      "property": / { p = $2 } /^      "verdict": "violated"/ { print p }' "$dir/tw.json" |
			tr -d '",')
		verdict="violated"
		if [ -n "$sp_prop" ] && grep -qx -- "$sp_prop" <<<"$tw_violated"; then
			agree=yes
			notes+=("* $cfg: SPIN's first error violates $sp_prop; timewait: $(paste -sd, - <<<"$tw_violated")")
		else
			agree=NO
			bad=1
			echo "DISAGREEMENT on $cfg: timewait finds violated: $(echo "$tw_violated" | tr '\n' ' ');" \
				"SPIN: ${sp_prop:-no assertion violated} ($sp_errors errors)" >&2
		fi
		sp_states="$sp_states*"
		sp_trans="$sp_trans*"
		tw_trans="-" # a violated property's count stops where it was decided
		ratio="-"
	fi
	row "$cfg" "$verdict" "${tw_store:--}" "$tw_states" "$sp_states" "$tw_trans" "$sp_trans" "$agree" \
		"$(printf '%.2f' "${tw_s:-0}")" "$(printf '%.2f' "${sp_s:-0}")" "$ratio"
	rm -f "$dir/pan" "$dir"/pan.[bchmpt]
done
echo
if [ ${#notes[@]} -gt 0 ]; then
	printf '%s\n' "${notes[@]}"
	echo
fi
echo "states and transitions: timewait's --json report; SPIN's 'states, stored' and 'transitions'"
echo "(stored + matched), one more than timewait's: SPIN counts its initial state. Times: each"
echo "tool's search (timewait's 'seconds', pan's 'elapsed time'; not building timewait, spin -a or"
echo "gcc); ratio = timewait s / SPIN s. timewait store: its visited set (exact, or 64-bit"
echo "fingerprints above 2^20 states); SPIN stores full states. * SPIN stopped at its first error (an"
echo "assertion naming a property that timewait finds violated): partial counts, only the verdicts"
echo "are compared."
if [ "$bad" -ne 0 ]; then
	echo "bench/run.sh: the state counts disagree (see above)" >&2
	exit 1
fi

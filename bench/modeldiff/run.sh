#!/usr/bin/env bash
# Differential test of the model: the model package at a git revision (old)
# against the working tree's (new), compared state by state on many
# configurations by the harness in this directory (README.md).
#
#   bash bench/modeldiff/run.sh                 # HEAD's model against the working tree's
#   bash bench/modeldiff/run.sh --old 3c93c6e   # another revision
#   bash bench/modeldiff/run.sh --old DIR       # a model directory instead of a revision
#   bash bench/modeldiff/run.sh -- -h           # the harness's own flags (after --)
#
# Options before "--" (or before the first argument starting with "-" that
# is not one of these) belong to this script:
#   --old REV|DIR    the old model: a git revision of this repository (default
#                    HEAD) or a directory holding a model package
#   --new DIR        the new model directory (default: model/ of this tree)
#   --mutate CMD     self-test hook: run CMD (with bash) inside the scratch
#                    copy of the new model before building; it must change
#                    a file there
#   --keep           keep the scratch module and print its path
#
# Exit status: 0 no difference, 1 a difference (printed), 2 bad usage, a
# build failure, a layout difference or a --mutate that changed nothing.
# Nothing in the repository is written: the harness is built in a scratch
# module under $TMPDIR.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
old=HEAD new="$REPO/model" mutate="" keep=""
die() { echo "modeldiff: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--old) [ $# -ge 2 ] || die "--old needs a revision or directory"; old=$2; shift 2 ;;
	--new) [ $# -ge 2 ] || die "--new needs a directory"; new=$2; shift 2 ;;
	--mutate) [ $# -ge 2 ] || die "--mutate needs a command"; mutate=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
command -v go >/dev/null || die "go is not on PATH"
[ -f "$new/model.go" ] || die "--new $new: not a model directory (no model.go)"
export GOFLAGS=-mod=mod GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
work=$(mktemp -d "${TMPDIR:-/tmp}/modeldiff.XXXXXX")
if [ -n "$keep" ]; then echo "scratch module: $work"; else trap 'rm -rf "$work"' EXIT; fi
mkdir "$work/oldmodel" "$work/newmodel" "$work/bin"
cp "$HERE/go.mod" "$HERE"/*.go "$work/"
# copymodel DIR DEST: the non-test Go files of a model directory
copymodel() {
	local n=0 f
	for f in "$1"/*.go; do
		case "$f" in *_test.go) continue ;; esac
		[ -f "$f" ] || continue
		cp "$f" "$2/"; n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "$1: no Go files"
}
if [ -d "$old" ]; then
	[ -f "$old/model.go" ] || die "--old $old: not a model directory (no model.go)"
	copymodel "$old" "$work/oldmodel"
	oldname="directory $old"
else
	rev=$(git -C "$REPO" rev-parse --verify --quiet "$old^{commit}") || die "--old $old: neither a directory nor a git revision of $REPO"
	files=$(git -C "$REPO" ls-tree --name-only "$rev" model/ | grep '\.go$' | grep -v '_test\.go$' || true)
	[ -n "$files" ] || die "--old $old: revision has no model/*.go"
	for f in $files; do
		git -C "$REPO" show "$rev:$f" >"$work/oldmodel/$(basename "$f")"
	done
	oldname="$old ($(git -C "$REPO" rev-parse --short "$rev"))"
fi
copymodel "$new" "$work/newmodel"
# the harness's rule overrides, written once, compiled into both packages
cp "$HERE/modelrules.go.txt" "$work/oldmodel/zz_modeldiff_rules.go"
cp "$HERE/modelrules.go.txt" "$work/newmodel/zz_modeldiff_rules.go"
if [ -n "$mutate" ]; then
	cp -r "$work/newmodel" "$work/pristine"
	(cd "$work/newmodel" && bash -c "$mutate") || die "--mutate command failed: $mutate"
	if diff -r "$work/pristine" "$work/newmodel" >/dev/null; then
		die "--mutate changed nothing (the pattern no longer matches the model?): $mutate"
	fi
	echo "mutated copy of the new model:"
	diff -ru "$work/pristine" "$work/newmodel" | grep -E '^[-+][^-+]' || true
	rm -rf "$work/pristine"
fi
echo "old: $oldname   new: $new"
(cd "$work" && go build -o bin/modeldiff .) || die "the harness does not build against these models"
cd "$work"
# The harness runs as a child, so that the scratch module is removed when it
# ends; an interrupt or termination of this script is passed on to it.
nice -n "${NICE:-10}" ./bin/modeldiff -src newmodel "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' INT TERM
set +e
wait "$child"
st=$?
set -e
exit $st

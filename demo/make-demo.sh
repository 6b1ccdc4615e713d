#!/usr/bin/env bash
# Creates escgate's demo repository at DIR:
#
#   main     1. package greet: WriteGreeting(w *bytes.Buffer, name string)
#            2. command hello, which uses it
#   feature  3. WriteGreeting takes an io.Writer instead
#
# Commit dates are pinned, so the commit ids are the same on every run.
# Then:   ./escgate -C DIR diff --base main --head feature
# reports the two things the feature branch introduces: the []byte
# conversion escapes to the heap, and the parameter w leaks.
#
# DIR is made afresh each time. An existing DIR is removed only when this
# script made it (it carries a marker in DIR/.git); any other existing,
# non-empty DIR is refused.
set -euo pipefail

usage() { echo "usage: $0 DIR" >&2; exit 2; }
[ $# -eq 1 ] && [ -n "$1" ] || usage
dir=$1
marker=.git/escgate-demo

if [ -e "$dir" ] || [ -L "$dir" ]; then
	if [ -d "$dir" ] && [ ! -L "$dir" ] && [ -f "$dir/$marker" ]; then
		rm -rf -- "$dir"
	elif [ -d "$dir" ] && [ ! -L "$dir" ] && [ -z "$(ls -A -- "$dir")" ]; then
		rmdir -- "$dir"
	else
		echo "$0: $dir exists and was not made by this script; not touching it" >&2
		exit 1
	fi
fi

mkdir -p -- "$dir"
dir=$(cd -- "$dir" && pwd)
trap 'rm -rf -- "$dir"; echo "$0: failed; removed $dir" >&2' ERR

# Keep the user's git configuration (hooks, signing, templates) out of it.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="escgate demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="escgate demo" GIT_COMMITTER_EMAIL="demo@example.com"
g() { git -C "$dir" "$@"; }
n=0
commit() {
	n=$((n + 1))
	local date="2024-01-01T00:0$n:00Z"
	g add -A
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date g commit -q -m "$1"
}

g init -q -b main
touch "$dir/$marker"
g config user.name "escgate demo"
g config user.email "demo@example.com"

# --- commit 1 (main): the library, with a concrete *bytes.Buffer ------------
cat >"$dir/go.mod" <<'EOF'
module example.com/demo

go 1.19
EOF
mkdir -p "$dir/greet"
cat >"$dir/greet/greet.go" <<'EOF'
// Package greet is the whole of escgate's demo.
//
// Here WriteGreeting takes a concrete *bytes.Buffer. The compiler knows
// what (*bytes.Buffer).Write does with its argument (it only copies from
// it), so the temporary []byte below stays on the stack and w does not
// leak: `go build -gcflags=-m` reports no escape for this function.
package greet

import "bytes"

// WriteGreeting writes "hello, NAME" into w.
func WriteGreeting(w *bytes.Buffer, name string) {
	w.Write([]byte("hello, " + name))
}
EOF
commit "greet: WriteGreeting into a bytes.Buffer"

# --- commit 2 (main): a command that uses it ---------------------------------
mkdir -p "$dir/cmd/hello"
cat >"$dir/cmd/hello/main.go" <<'EOF'
// Command hello prints a greeting: go run ./cmd/hello [NAME]
package main

import (
	"bytes"
	"os"

	"example.com/demo/greet"
)

func main() {
	name := "gopher"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	var buf bytes.Buffer
	greet.WriteGreeting(&buf, name)
	buf.WriteByte('\n')
	os.Stdout.Write(buf.Bytes())
}
EOF
commit "hello: a command that prints a greeting"

# --- commit 3 (feature): "more general" with io.Writer ----------------------
g checkout -q -b feature
cat >"$dir/greet/greet.go" <<'EOF'
// Package greet is the whole of escgate's demo.
//
// Here WriteGreeting takes an io.Writer: more general, but the compiler can
// no longer see which Write method will run, so it must assume the worst,
// that the method keeps its argument. The []byte conversion is therefore
// allocated on the heap ("escapes to heap") and w leaks ("leaking param: w").
// escgate diff --base main --head feature reports both as new.
package greet

import "io"

// WriteGreeting writes "hello, NAME" into w.
func WriteGreeting(w io.Writer, name string) {
	w.Write([]byte("hello, " + name))
}
EOF
commit "greet: accept any io.Writer"

trap - ERR
cat <<EOF
demo repository ready in $dir
  branches: main (base), feature (checked out; WriteGreeting takes an io.Writer)
  try:      escgate -C $dir diff --base main --head feature
EOF

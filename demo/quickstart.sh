#!/usr/bin/env bash
# One command from a fresh machine to a gate verdict: installs the build
# dependencies (Debian packages), builds escgate, creates the demo
# repository and runs the gate on it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || { echo "quickstart: Go is needed (https://go.dev/dl)" >&2; exit 3; }

packages=(build-essential pkg-config libgit2-dev libcjson-dev libsqlite3-dev git)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "quickstart: installing ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

make -s
demo=${1:-"$top/build/demo-repo"}
demo/make-demo.sh "$demo"
report=$top/build/demo-report.html
echo "quickstart: running: ./escgate -C $demo diff --base main --head feature --format text --format html=$report" >&2
set +e
./escgate -C "$demo" diff --base main --head feature --format text --format html="$report"
status=$?
set -e
echo "quickstart: escgate exited with status $status (1 = the feature branch adds escapes)" >&2
[ ! -s "$report" ] || echo "quickstart: the same as a page for the browser: $report" >&2
history=$top/build/demo-history.html
./escgate -C "$demo" history -q --format html="$history" &&
	echo "quickstart: escapes and leaks per commit of the feature branch: $history" >&2
[ "$status" -eq 1 ]

#!/usr/bin/env bash
# install-peers.sh: builds the migration tools strata imports from, at
# pinned versions, into one cache folder, for the end-to-end import tests
# (cmd/strata import_*_test.go). Each tool is built with only the
# PostgreSQL, MySQL and SQLite drivers it needs. Prints the folder on its
# last line; the tests read it from STRATA_PEERS (or the default below).
#
#   internal/importer/testdata/install-peers.sh [DIR]
#
# DIR defaults to $STRATA_PEERS, else ${XDG_CACHE_HOME:-~/.cache}/strata-peers.
# A tool already built at its pinned version is not built again. Exits
# non-zero, naming the tool, when one cannot be built.
set -euo pipefail
export PATH="/usr/local/go/bin:$PATH"

GOOSE_VERSION=v3.26.0
MIGRATE_VERSION=v4.18.3
DBMATE_VERSION=v2.28.0
TERN_VERSION=v2.3.4
SQLMIGRATE_VERSION=v1.8.1

dir="${1:-${STRATA_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/strata-peers}}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

fail() { printf 'install-peers: %s\n' "$*" >&2; exit 1; }

# build NAME VERSION TAGS CGO PACKAGE MODULE: go install PACKAGE@VERSION
# into $dir as NAME; when the proxy refuses go install of the pinned
# version (a replace directive in its go.mod), it is built in a throwaway
# module that requires MODULE at VERSION.
build() {
	local name=$1 version=$2 tags=$3 cgo=$4 pkg=$5 module=$6
	# go install names the binary after the last path element that is
	# not a major version (.../tern/v2 -> tern).
	local bin
	bin="$(basename "$pkg")"
	case "$bin" in v[0-9]*) bin="$(basename "$(dirname "$pkg")")" ;; esac
	local stamp="$dir/.$name.version"
	if [ -x "$dir/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version $tags" ]; then
		return 0
	fi
	local tmp
	tmp="$(mktemp -d)"
	echo "install-peers: building $name $version (tags: ${tags:-none})" >&2
	if ! GOBIN="$tmp" CGO_ENABLED="$cgo" go install -tags "$tags" "$pkg@$version" >"$tmp/log" 2>&1; then
		echo "install-peers: go install $pkg@$version refused; building it in a throwaway module" >&2
		(
			cd "$tmp" &&
				go mod init strata-peer-build >/dev/null 2>&1 &&
				go get "$module@$version" >>"$tmp/log" 2>&1 &&
				CGO_ENABLED="$cgo" go build -tags "$tags" -o "$tmp/$bin" "$pkg" >>"$tmp/log" 2>&1
		) || { cat "$tmp/log" >&2; rm -rf "$tmp"; fail "could not build $name $version ($pkg)"; }
	fi
	mv "$tmp/$bin" "$dir/$name"
	echo "$version $tags" >"$stamp"
	rm -rf "$tmp"
}

# goose's sqlite3 driver is modernc.org/sqlite (pure Go); the no_* tags
# leave out the drivers strata does not test against.
build goose "$GOOSE_VERSION" 'no_clickhouse no_libsql no_mssql no_vertica no_ydb no_duckdb no_spanner' 0 \
	github.com/pressly/goose/v3/cmd/goose github.com/pressly/goose/v3
# golang-migrate: tag sqlite is modernc.org/sqlite (pure Go); sqlite3 would
# be mattn/go-sqlite3 (cgo). file is the source driver for a folder.
build migrate "$MIGRATE_VERSION" 'postgres mysql sqlite file' 0 \
	github.com/golang-migrate/migrate/v4/cmd/migrate github.com/golang-migrate/migrate/v4
# dbmate and sql-migrate reach SQLite through mattn/go-sqlite3: cgo.
build dbmate "$DBMATE_VERSION" '' 1 github.com/amacneil/dbmate/v2 github.com/amacneil/dbmate/v2
build tern "$TERN_VERSION" '' 0 github.com/jackc/tern/v2 github.com/jackc/tern/v2
build sql-migrate "$SQLMIGRATE_VERSION" '' 1 github.com/rubenv/sql-migrate/sql-migrate github.com/rubenv/sql-migrate

for t in goose migrate dbmate tern sql-migrate; do
	[ -x "$dir/$t" ] || fail "$t is missing from $dir"
done
echo "$dir"

#!/usr/bin/env bash
# bench/run.sh: strata next to the raw database clients (and, when given by
# path, peer tools) on the workloads of issue 6. Recreates the database
# before every run, runs each workload's commands in turn RUNS times
# (alternating, so drift weighs on all alike), prints the median wall
# time, min-max and the median peak memory (bench/measure). The peer tools
# are built at pinned versions from the Go module proxy by
# internal/importer/testdata/install-peers.sh (once; NO_PEERS=1 skips them).
#
#   bench/run.sh                 # every workload except the 1 GB file
#   LARGE=1 bench/run.sh         # also the 1 GB file
#   ONLY=insert1000 bench/run.sh # one workload
#   ONLY=fleet FLEET_PG=1000 FLEET_MY=300 FLEET_PAR=4 bench/run.sh # the fleet
#   GOOSE=/path/goose MIGRATE=/path/migrate DBMATE=/path/dbmate TERN=/path/tern bench/run.sh
#
# Needs: go, psql, mariadb (client); PostgreSQL on
# 127.0.0.1:5432 (user postgres, trust) and MariaDB on 127.0.0.1:3306 (root,
# no password), as on the project's machines.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
RUNS=${RUNS:-5}
OUT=${OUT:-bench/out}
PGURL="postgres://postgres@127.0.0.1:5432/strata_bench?sslmode=disable"
MYURL="mysql://root@127.0.0.1:3306/strata_bench"
mkdir -p "$OUT"

echo "building strata..."
CGO_ENABLED=0 go build -trimpath -o "$OUT/strata" ./cmd/strata
STRATA="$OUT/strata"
# bench/measure: wall time to the microsecond and peak memory of each run
# (GNU time's wall time is in hundredths of a second).
go build -o "$OUT/measure" ./bench/measure
MEASURE="$OUT/measure"
# Peer tools: GOOSE, MIGRATE, DBMATE and TERN default to the binaries
# install-peers.sh builds at its pinned versions into $STRATA_PEERS (or
# ~/.cache/strata-peers); a tool already built is not built again.
if [ -z "${NO_PEERS:-}" ]; then
	echo "installing the peer tools (pinned versions)..."
	PEERS=$(internal/importer/testdata/install-peers.sh | tail -1)
	GOOSE=${GOOSE:-$PEERS/goose}
	MIGRATE=${MIGRATE:-$PEERS/migrate}
	DBMATE=${DBMATE:-$PEERS/dbmate}
	TERN=${TERN:-$PEERS/tern}
fi
# strata's checksum cache (docs/checksums.md) lives here, not in the
# user's cache folder; rm -rf it for a cold start.
export XDG_CACHE_HOME="$(cd "$OUT" && pwd)/cache"

pg_reset() { psql -qX -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS strata_bench WITH (FORCE)" -c "CREATE DATABASE strata_bench" >/dev/null 2>&1; }
my_reset() { mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS strata_bench; CREATE DATABASE strata_bench"; }

# measure NAME RESET CMD...: runs CMD once after RESET and keeps its wall
# time and peak memory under NAME. Each workload calls it for every command
# in turn, RUNS rounds: the raw client's and strata's runs alternate, so a
# disk or a server that drifts during the benchmark (this machine's disk
# does, by 30% over minutes) weighs on both alike. summarise prints the
# medians.
measure() {
	local name=$1 reset=$2; shift 2
	$reset
	local log="$OUT/time.log"
	"$MEASURE" -o "$log" "$@" >/dev/null 2>"$OUT/last.err" || { echo "bench: $name failed:" >&2; cat "$OUT/last.err" >&2; return 1; }
	grep -qxF -- "$name" "$OUT/names" || echo "$name" >>"$OUT/names"
	printf '%s\t%s\n' "$name" "$(cat "$log")" >>"$OUT/runs"
	printf '%s %s\n' "$name" "$(awk '{printf "%.3f s, %d kB", $1, $2}' "$log")"
}

# rounds: the numbers 1..RUNS, one workload round each.
rounds() { seq "$RUNS"; }

# summarise: "NAME median min max median-peak-kB" for every name measured,
# in the order first measured, into $OUT/results.
summarise() {
	: >"$OUT/results"
	local name times mems
	while IFS= read -r name; do
		times=$(awk -F'\t' -v n="$name" '$1 == n { split($2, f, " "); print f[1] }' "$OUT/runs" | sort -g)
		mems=$(awk -F'\t' -v n="$name" '$1 == n { split($2, f, " "); print f[2] }' "$OUT/runs" | sort -g)
		printf '%s %s %s %s %s\n' "$name" \
			"$(echo "$times" | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] }')" \
			"$(echo "$times" | head -1 | awk '{ printf "%.3f", $1 }')" \
			"$(echo "$times" | tail -1 | awk '{ printf "%.3f", $1 }')" \
			"$(echo "$mems" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')" >>"$OUT/results"
	done <"$OUT/names"
}

# gen_inserts DIR N: a CREATE TABLE and N one-INSERT files.
gen_inserts() {
	rm -rf "$1"; mkdir -p "$1"
	echo "CREATE TABLE t (id int);" >"$1/00000_create.sql"
	awk -v dir="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) { f = sprintf("%s/%05d_insert.sql", dir, i); printf "INSERT INTO t VALUES (%d);\n", i > f; close(f) } }'
	find "$1" -name '*.sql' -print0 | sort -z | xargs -0 cat >"$1.all.sql"
}
# gen_ddl DIR N: N files each creating a table and inserting into it.
gen_ddl() {
	rm -rf "$1"; mkdir -p "$1"
	for i in $(seq 1 "$2"); do printf 'CREATE TABLE t%d (id int PRIMARY KEY, v text);\nINSERT INTO t%d VALUES (1, %s);\n' "$i" "$i" "'x'" >"$1/$(printf %05d "$i")_table.sql"; done
	cat "$1"/*.sql >"$1.all.sql"
}
# gen_data DIR MB: one file of multi-row INSERTs (1,000 rows each) of about MB megabytes.
gen_data() {
	rm -rf "$1"; mkdir -p "$1"
	echo "CREATE TABLE d (id bigint, name varchar(64), note text);" >"$1/0001_create.sql"
	awk -v mb="$2" 'BEGIN {
		target = mb * 1048576; size = 0; id = 0
		while (size < target) {
			line = "INSERT INTO d VALUES "
			for (r = 0; r < 1000; r++) { id++; line = line sprintf("%s(%d, %cname-%d%c, %cthe quick brown fox jumps over the lazy dog %d%c)", (r ? ", " : ""), id, 39, id, 39, 39, id, 39) }
			line = line ";"
			print line; size += length(line) + 1
		}
	}' >"$1/0002_data.sql"
	cat "$1"/*.sql >"$1.all.sql"
	# golang-migrate reads NNN_name.up.sql: the same files, linked.
	rm -rf "$1.up"; mkdir -p "$1.up"
	ln -s "$(cd "$1" && pwd)/0001_create.sql" "$1.up/1_create.up.sql"
	ln -s "$(cd "$1" && pwd)/0002_data.sql" "$1.up/2_data.up.sql"
}

# gen_fleet DIR: a tenant's 20 small files, portable between PostgreSQL and
# MariaDB: five times a table, its rows, an index, a new column and its
# backfill. DIR.goose holds the same files for goose, DIR.all.sql them all.
gen_fleet() {
	rm -rf "$1" "$1.goose"; mkdir -p "$1" "$1.goose"
	local g n f
	for g in 1 2 3 4 5; do
		n=$(( (g - 1) * 4 ))
		printf 'CREATE TABLE t%d (id int PRIMARY KEY, name varchar(64) NOT NULL, kind varchar(16));\n' "$g" >"$1/$(printf %05d $((n + 1)))_table$g.sql"
		printf "INSERT INTO t%d VALUES (1, 'one', 'a'), (2, 'two', 'b'), (3, 'three', 'a');\nINSERT INTO t%d VALUES (4, 'four', 'c');\n" "$g" "$g" >"$1/$(printf %05d $((n + 2)))_rows$g.sql"
		printf 'CREATE INDEX t%d_name ON t%d (name);\n' "$g" "$g" >"$1/$(printf %05d $((n + 3)))_index$g.sql"
		printf "ALTER TABLE t%d ADD COLUMN note varchar(100);\nUPDATE t%d SET note = 'backfilled' WHERE kind = 'a';\n" "$g" "$g" >"$1/$(printf %05d $((n + 4)))_column$g.sql"
	done
	for f in "$1"/*.sql; do
		{ echo '-- +goose Up'; cat "$f"; } >"$1.goose/$(basename "$f")"
	done
	cat "$1"/*.sql >"$1.all.sql"
}

want() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }
: >"$OUT/runs"; : >"$OUT/names"
W="$OUT/work"; mkdir -p "$W"

if want insert1000; then
	gen_inserts "$W/ins" 1000
	for _ in $(rounds); do
	measure "pg.insert1000.raw(psql-1)" pg_reset psql -qX -h 127.0.0.1 -U postgres -d strata_bench -1 -f "$W/ins.all.sql"
	measure "pg.insert1000.raw(psql,commit-each)" pg_reset psql -qX -h 127.0.0.1 -U postgres -d strata_bench -f "$W/ins.all.sql"
	measure "pg.insert1000.strata" pg_reset "$STRATA" up -q --dir "$W/ins" --url "$PGURL"
	measure "pg.insert1000.strata(--tx=all)" pg_reset "$STRATA" up -q --tx all --dir "$W/ins" --url "$PGURL"
	measure "my.insert1000.raw(mariadb)" my_reset sh -c "mariadb -h127.0.0.1 -uroot strata_bench < '$W/ins.all.sql'"
	measure "my.insert1000.strata" my_reset "$STRATA" up -q --dir "$W/ins" --url "$MYURL"
	done
	[ -n "${MIGRATE:-}" ] && echo "golang-migrate needs NNN_name.up.sql files; not run on this layout"
fi
if want ddl1000; then
	gen_ddl "$W/ddl" 1000
	for _ in $(rounds); do
	measure "pg.ddl1000.raw(psql-1)" pg_reset psql -qX -h 127.0.0.1 -U postgres -d strata_bench -1 -f "$W/ddl.all.sql"
	measure "pg.ddl1000.raw(psql,commit-each)" pg_reset sh -c "sed 's/^CREATE/BEGIN; CREATE/; s/^INSERT\(.*\)$/INSERT\1 COMMIT;/' '$W/ddl.all.sql' | psql -qX -h 127.0.0.1 -U postgres -d strata_bench"
	# The floor for a transaction per file: each file's commit without
	# waiting for the WAL flush, as strata commits every file but the last.
	measure "pg.ddl1000.raw(psql,tx-each,async-commit)" pg_reset sh -c "sed 's/^CREATE/BEGIN; SET LOCAL synchronous_commit = off; CREATE/; s/^INSERT\(.*\)$/INSERT\1 COMMIT;/' '$W/ddl.all.sql' | psql -qX -h 127.0.0.1 -U postgres -d strata_bench"
	measure "pg.ddl1000.strata" pg_reset "$STRATA" up -q --dir "$W/ddl" --url "$PGURL"
	measure "pg.ddl1000.strata(--tx=all)" pg_reset "$STRATA" up -q --tx all --dir "$W/ddl" --url "$PGURL"
	done
fi
# golang-migrate for the data workloads: $MIGRATE, else the one
# internal/importer/testdata/install-peers.sh builds.
DATA_MIGRATE=${MIGRATE:-${STRATA_PEERS:-$HOME/.cache/strata-peers}/migrate}
if want data50; then
	gen_data "$W/d50" 50
	for _ in $(rounds); do
	measure "pg.data50MB.raw(psql-1)" pg_reset psql -qX -h 127.0.0.1 -U postgres -d strata_bench -1 -f "$W/d50.all.sql"
	measure "pg.data50MB.strata" pg_reset "$STRATA" up -q --dir "$W/d50" --url "$PGURL"
	# golang-migrate sends each file as one message (the whole 50 MB at once).
	if [ -x "$DATA_MIGRATE" ]; then measure "pg.data50MB.golang-migrate" pg_reset "$DATA_MIGRATE" -path "$W/d50.up" -database "$PGURL" up; fi
	measure "my.data50MB.raw(mariadb)" my_reset sh -c "mariadb -h127.0.0.1 -uroot strata_bench < '$W/d50.all.sql'"
	measure "my.data50MB.strata" my_reset "$STRATA" up -q --dir "$W/d50" --url "$MYURL"
	done
fi
if [ -n "${LARGE:-}" ] && want data1g; then
	gen_data "$W/d1g" 1024
	for _ in $(rounds); do
	measure "pg.data1GB.raw(psql-1)" pg_reset psql -qX -h 127.0.0.1 -U postgres -d strata_bench -1 -f "$W/d1g.all.sql"
	measure "pg.data1GB.strata" pg_reset "$STRATA" up -q --dir "$W/d1g" --url "$PGURL"
	# golang-migrate sends the whole file as one message, which PostgreSQL
	# refuses over 1 GB (it resets the connection): recorded, not fatal.
	if [ -x "$DATA_MIGRATE" ]; then measure "pg.data1GB.golang-migrate" pg_reset "$DATA_MIGRATE" -path "$W/d1g.up" -database "$PGURL" up ||
		echo "bench: golang-migrate could not apply the 1 GB file (one message over PostgreSQL's 1 GB limit)"; fi
	measure "my.data1GB.raw(mariadb)" my_reset sh -c "mariadb -h127.0.0.1 -uroot strata_bench < '$W/d1g.all.sql'"
	measure "my.data1GB.strata" my_reset "$STRATA" up -q --dir "$W/d1g" --url "$MYURL"
	done
fi
if want status1000; then
	gen_inserts "$W/ins" 1000
	pg_reset; "$STRATA" up -q --dir "$W/ins" --url "$PGURL"
	my_reset; "$STRATA" up -q --dir "$W/ins" --url "$MYURL"
	# A developer's machine: the checksum cache is warm (files changed in
	# the last 3 s are never cached). A fresh checkout, as in CI: no cache.
	sleep 3; "$STRATA" status -q --dir "$W/ins" --url "$PGURL"
	noop() { :; }
	for _ in $(rounds); do
	measure "pg.status1000.raw(one-query)" noop psql -qX -h 127.0.0.1 -U postgres -d strata_bench -c "SELECT * FROM strata_schema_history"
	measure "pg.status1000.strata" noop "$STRATA" status --json --dir "$W/ins" --url "$PGURL"
	measure "pg.status1000.strata(no-cache)" noop "$STRATA" status --json --checksum-cache off --dir "$W/ins" --url "$PGURL"
	measure "pg.uptodate1000.strata(up,nothing-pending)" noop "$STRATA" up -q --dir "$W/ins" --url "$PGURL"
	measure "my.status1000.raw(one-query)" noop mariadb -h127.0.0.1 -uroot strata_bench -e "SELECT * FROM strata_schema_history"
	measure "my.status1000.strata" noop "$STRATA" status --json --dir "$W/ins" --url "$MYURL"
	measure "my.status1000.strata(no-cache)" noop "$STRATA" status --json --checksum-cache off --dir "$W/ins" --url "$MYURL"
	done
fi
if want history100k; then
	# 100,000 history rows (and files): status reads them in one query.
	gen_inserts "$W/h100k" 100000
	pg_reset; "$STRATA" up -q --tx all --dir "$W/h100k" --url "$PGURL"
	sleep 3; "$STRATA" status -q --dir "$W/h100k" --url "$PGURL" # fills the checksum cache
	noop() { :; }
	for _ in $(rounds); do
	measure "pg.status100k.raw(one-query)" noop psql -qX -h 127.0.0.1 -U postgres -d strata_bench -c "SELECT * FROM strata_schema_history"
	# psql's fastest way to only read the rows: unaligned, no header.
	measure "pg.status100k.raw(one-query,unaligned)" noop psql -qXAt -h 127.0.0.1 -U postgres -d strata_bench -c "SELECT * FROM strata_schema_history"
	measure "pg.status100k.strata" noop "$STRATA" status --json --dir "$W/h100k" --url "$PGURL"
	measure "pg.status100k.strata(no-cache)" noop "$STRATA" status --json --checksum-cache off --dir "$W/h100k" --url "$PGURL"
	done
fi
if want startup; then
	noop() { :; }
	for _ in $(rounds); do measure "startup.version" noop "$STRATA" version; done
fi

if want fleet; then
	# A fleet: FLEET_PG (1,000) schemas of one PostgreSQL database and
	# FLEET_MY (300) MariaDB databases, 20 small files each (a table, its
	# rows, an index, a new column and its backfill, five times over),
	# brought up to date with --parallel FLEET_PAR (4). Compared with the
	# database's own limit (one client session per target applying the 20
	# files concatenated, FLEET_PAR at once) and with a shell loop running
	# goose once per target. Setup and reset are one client call each.
	NPG=${FLEET_PG:-1000}; NMY=${FLEET_MY:-300}; PAR=${FLEET_PAR:-4}
	FPGDB=strata_fleet
	FPGURL="postgres://postgres@127.0.0.1:5432/$FPGDB?sslmode=disable"
	FMYURL="mysql://root@127.0.0.1:3306/mysql"
	gen_fleet "$W/fleet"
	fleet_pg_reset() {
		psql -qX -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<-SQL
		DROP DATABASE IF EXISTS $FPGDB WITH (FORCE);
		CREATE DATABASE $FPGDB;
		\c $FPGDB
		DO \$\$BEGIN FOR i IN 1..$NPG LOOP EXECUTE format('CREATE SCHEMA tenant_%s', lpad(i::text, 4, '0')); END LOOP; END\$\$;
		SQL
	}
	fleet_my_reset() {
		{
			mariadb -h127.0.0.1 -uroot -N -e "SELECT CONCAT('DROP DATABASE \`', schema_name, '\`;') FROM information_schema.schemata WHERE schema_name LIKE 'sfleet\\_%'"
			seq -f "CREATE DATABASE sfleet_%04g;" 1 "$NMY"
		} | mariadb -h127.0.0.1 -uroot
	}
	pg_schemas() { seq -f 'tenant_%04g' 1 "$NPG"; }
	my_dbs() { seq -f 'sfleet_%04g' 1 "$NMY"; }
	for _ in $(rounds); do
	measure "pg.fleet$NPG.raw(psql,xargs-P$PAR)" fleet_pg_reset sh -c "seq -f 'tenant_%04g' 1 $NPG | xargs -P$PAR -I{} psql -qX -h 127.0.0.1 -U postgres -d $FPGDB -v ON_ERROR_STOP=1 -c 'SET search_path TO {}' -f '$W/fleet.all.sql'"
	measure "pg.fleet$NPG.raw(psql-1,xargs-P$PAR)" fleet_pg_reset sh -c "seq -f 'tenant_%04g' 1 $NPG | xargs -P$PAR -I{} psql -qX -1 -h 127.0.0.1 -U postgres -d $FPGDB -v ON_ERROR_STOP=1 -c 'SET search_path TO {}' -f '$W/fleet.all.sql'"
	measure "pg.fleet$NPG.strata(--parallel=$PAR)" fleet_pg_reset "$STRATA" up -q --parallel "$PAR" --targets-schemas 'tenant\_%' --dir "$W/fleet" --url "$FPGURL"
	measure "my.fleet$NMY.raw(mariadb,xargs-P$PAR)" fleet_my_reset sh -c "seq -f 'sfleet_%04g' 1 $NMY | xargs -P$PAR -I{} sh -c 'mariadb -h127.0.0.1 -uroot {} < \"$W/fleet.all.sql\"'"
	measure "my.fleet$NMY.strata(--parallel=$PAR)" fleet_my_reset "$STRATA" up -q --parallel "$PAR" --targets-schemas 'sfleet\_%' --dir "$W/fleet" --url "$FMYURL"
	if [ -n "${GOOSE:-}" ]; then
	measure "pg.fleet$NPG.goose(shell-loop)" fleet_pg_reset sh -c "for s in \$(seq -f 'tenant_%04g' 1 $NPG); do '$GOOSE' -dir '$W/fleet.goose' postgres \"host=127.0.0.1 user=postgres dbname=$FPGDB sslmode=disable search_path=\$s\" up >/dev/null || exit 1; done"
	measure "my.fleet$NMY.goose(shell-loop)" fleet_my_reset sh -c "for s in \$(seq -f 'sfleet_%04g' 1 $NMY); do '$GOOSE' -dir '$W/fleet.goose' mysql \"root@tcp(127.0.0.1:3306)/\$s\" up >/dev/null || exit 1; done"
	fi
	done
	# status and check over the fleet, all targets up to date.
	fleet_pg_reset; "$STRATA" up -q --parallel "$PAR" --targets-schemas 'tenant\_%' --dir "$W/fleet" --url "$FPGURL"
	noop() { :; }
	for _ in $(rounds); do
	measure "pg.fleet$NPG.status.raw(psql,one-query-each,xargs-P$PAR)" noop sh -c "seq -f 'tenant_%04g' 1 $NPG | xargs -P$PAR -I{} psql -qXAt -h 127.0.0.1 -U postgres -d $FPGDB -c 'SELECT * FROM {}.strata_schema_history'"
	measure "pg.fleet$NPG.status.strata" noop "$STRATA" status --json --parallel "$PAR" --targets-schemas 'tenant\_%' --dir "$W/fleet" --url "$FPGURL"
	measure "pg.fleet$NPG.check.strata" noop "$STRATA" check --json --parallel "$PAR" --targets-schemas 'tenant\_%' --dir "$W/fleet" --url "$FPGURL"
	measure "pg.fleet$NPG.uptodate.strata(up,nothing-pending)" noop "$STRATA" up -q --parallel "$PAR" --targets-schemas 'tenant\_%' --dir "$W/fleet" --url "$FPGURL"
	done
fi

summarise
echo
(echo "name median_s min_s max_s peak_kB"; cat "$OUT/results") | column -t

#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + pgvector server on 127.0.0.1 for the store tests.
#   eval "$(bash scripts/postgres-test-server.sh start)"   # exports TEST_DATABASE_URL
#   bash scripts/postgres-test-server.sh stop
# Installs what is missing first (Debian, as root): postgresql-15 and its server headers from
# apt, and pgvector 0.8.0 built from Debian's source package (trixie) with OPTFLAGS="" (the
# default -march=native would only run on the CPU that built it). The cluster lives in
# $PG_TEST_DIR (default /tmp/research-bot-pg), runs with fsync off, and is removed by stop.
set -euo pipefail
dir="${PG_TEST_DIR:-/tmp/research-bot-pg}"
pgbin=/usr/lib/postgresql/15/bin
log() { echo "postgres-test-server: $*" >&2; }
# runuser lives in sbin, which a CI PATH may lack.
runuser_bin="$(command -v runuser || echo /usr/sbin/runuser)"
as_owner() { if [ "$(id -u)" = 0 ]; then "$runuser_bin" -u postgres -- "$@"; else "$@"; fi; }

install_server() {
  if [ ! -x "$pgbin/postgres" ] || ! command -v pg_config >/dev/null || [ ! -d "$(pg_config --includedir-server 2>/dev/null)" ]; then
    log "installing postgresql-15 and postgresql-server-dev-15"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-server-dev-15 >&2
  fi
  if [ ! -f "$(pg_config --sharedir)/extension/vector.control" ]; then
    log "building pgvector from Debian's source package"
    local work; work="$(mktemp -d)"
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts"
    cat > "$work/parts/trixie-src.sources" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    local apt=(apt-get -qq -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts"
      -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
    "${apt[@]}" update >&2
    (cd "$work" && "${apt[@]}" source --download-only pgvector >&2)
    tar -xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
    make -s -C "$work"/pgvector-*/ OPTFLAGS="" >&2
    make -s -C "$work"/pgvector-*/ install >&2
    rm -rf "$work"
  fi
}

start() {
  install_server
  stop_quietly
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  local password; password="rb-ci-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  local port; port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  echo "$password" > "$dir.pw"
  [ "$(id -u)" = 0 ] && chown postgres "$dir.pw"
  as_owner "$pgbin/initdb" -D "$dir/data" -U postgres -A scram-sha-256 --pwfile="$dir.pw" --no-sync >/dev/null
  rm -f "$dir.pw"
  as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
  echo "export TEST_DATABASE_URL=postgres://postgres:$password@127.0.0.1:$port/postgres"
  log "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') with pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$(pg_config --sharedir)/extension/vector.control") on 127.0.0.1:$port ($dir)"
}

stop_quietly() {
  if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop_quietly ;;
  install) install_server ;;
  *) echo "usage: $0 start|stop|install" >&2; exit 2 ;;
esac

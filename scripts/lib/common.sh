# Helpers sourced by scripts/run and scripts/test.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The local copy of the model set (read-only is fine): the ImageNet ONNX, and the iNaturalist TFLite
# sources in its sources/ folder.
export SALIENCY_MODELS_SOURCE="${SALIENCY_MODELS_SOURCE:-$(cd "$REPO_ROOT/.." && pwd)/shared/models}"
# The folder the services serve, filled by fetch_models.
export SALIENCY_MODELS_DIR="${SALIENCY_MODELS_DIR:-$REPO_ROOT/.data/models}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs Debian packages that provide the given commands, when a command is missing.
# Usage: ensure_commands redis-server:redis-server chromium:chromium
ensure_commands() {
  local missing=() pair cmd pkg
  for pair in "$@"; do
    cmd="${pair%%:*}"; pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  ensure_packages "${missing[@]}"
}

# Installs the given Debian packages (as root).
ensure_packages() {
  if [ "$(id -u)" -ne 0 ]; then
    log "missing: $* (install them, or run as root so this script can)"; return 1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Starts a private redis-server with append-only persistence under $1 on port $2; sets REDIS_PID.
start_redis() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes \
    --save '' --daemonize no --logfile "$dir/redis.log" &
  REDIS_PID=$!
  local i
  for i in $(seq 1 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || break
    # Bounded readiness wait for an external process (not test synchronisation).
    sleep 0.1
  done
  log "redis-server did not start (see $dir/redis.log)"; return 1
}

# Starts a local Redis Cluster of 3 primaries and 3 replicas on 127.0.0.1 ports $2 .. $2+5 (cluster bus
# on port + 10000), each node append-only with its data and nodes.conf under $1/<port>; creates the cluster
# on the first run (later runs find nodes.conf and rejoin it). Sets REDIS_CLUSTER_PIDS and REDIS_CLUSTER_URL
# (every node, comma-separated, as StackExchange.Redis takes it).
start_redis_cluster() {
  local dir="$1" base="$2" port i created=yes nodes=()
  REDIS_CLUSTER_PIDS=()
  for i in 0 1 2 3 4 5; do
    port=$((base + i))
    mkdir -p "$dir/$port"
    [ -f "$dir/$port/nodes.conf" ] || created=no
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir/$port" --appendonly yes --save '' \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 \
      --daemonize no --logfile "$dir/$port/redis.log" &
    REDIS_CLUSTER_PIDS+=("$!")
    nodes+=("127.0.0.1:$port")
  done
  for port in $(seq "$base" $((base + 5))); do
    for i in $(seq 1 100); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      # Bounded readiness wait for an external process (not test synchronisation).
      sleep 0.1
    done
  done
  if [ "$created" = no ]; then
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 \
      || { log "redis-cli --cluster create failed (see $dir/create.log)"; return 1; }
  fi
  for i in $(seq 1 300); do
    redis-cli -p "$base" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && break
    sleep 0.1
  done
  redis-cli -p "$base" cluster info | grep -q '^cluster_state:ok' || { log "the Redis Cluster did not become ok (see $dir/*/redis.log)"; return 1; }
  REDIS_CLUSTER_URL="$(IFS=,; echo "${nodes[*]}")"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Builds the demo page into services/Gateway/wwwroot when clients/DemoWeb exists.
build_demoweb() {
  local web="$REPO_ROOT/clients/DemoWeb"
  [ -f "$web/package.json" ] || return 0
  log "building clients/DemoWeb"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error && npm run build)
}

# Fills $SALIENCY_MODELS_DIR with the served model set (scripts/fetch-models): copies the ImageNet
# model from $SALIENCY_MODELS_SOURCE and converts the iNaturalist TFLite sources, once (later runs
# find the converted files and keep them). $1 (optional): the saliency CLI command line to convert
# with, e.g. "dotnet clients/Cli/bin/Release/net10.0/saliency.dll"; else fetch-models' own choice.
fetch_models() {
  log "model set: $SALIENCY_MODELS_DIR (from $SALIENCY_MODELS_SOURCE)"
  SALIENCY_CLI="${1:-${SALIENCY_CLI:-}}" "$REPO_ROOT/scripts/fetch-models" "$SALIENCY_MODELS_DIR"
}

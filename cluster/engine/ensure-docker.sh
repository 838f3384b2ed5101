#!/usr/bin/env bash
# Makes sure a Docker engine answers, installing Debian's docker.io and starting dockerd when none does.
# On hosts whose bounding set lacks CAP_SYS_RESOURCE it registers the capability-dropping runc wrapper as the
# default runtime (privileged kind nodes fail otherwise); on a normal host daemon.json is left untouched.
# Output: progress lines on stderr; exit 0 when `docker info` answers with a usable runtime.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state_dir=${KUBEQUAKE_STATE_DIR:-/var/lib/kubequake}
wrapper=/usr/local/bin/kubequake-runc
runtime_name=kubequake-runc
pidfile=/var/run/kubequake-dockerd.pid
log=/var/log/kubequake-dockerd.log
say() { echo "[engine] $*" >&2; }
fail() { echo "kubequake: $1" >&2; echo "  what to do: $2" >&2; exit 1; }

cap_sys_resource_missing() {
  local bnd; bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
  (( (0x$bnd >> 24 & 1) == 0 ))
}
engine_answers() { timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }
default_runtime() { timeout 10 docker info --format '{{.DefaultRuntime}}' 2>/dev/null || true; }

install_engine() {
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and dockerd is not installed; installing it needs root (you are $(id -un))." \
    "install Docker yourself (Debian: sudo apt-get install docker.io && sudo systemctl start docker), or run kubequake as root."
  say "installing Debian's docker.io (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || fail "apt-get update failed; Docker cannot be installed." "check the apt sources and the network, then run again."
  apt-get install -y -qq docker.io jq >&2 || fail "apt-get install docker.io failed." "read the apt output above; free disk space if dpkg reports it full."
}

configure_runtime() {
  install -m 0755 "$here/runc-without-sys-resource" "$wrapper"
  mkdir -p /etc/docker
  local current='{}'; [ -s /etc/docker/daemon.json ] && current=$(cat /etc/docker/daemon.json)
  echo "$current" | jq --arg n "$runtime_name" --arg p "$wrapper" \
    '.runtimes[$n] = {path: $p} | ."default-runtime" = $n' > /etc/docker/daemon.json.kubequake
  mv /etc/docker/daemon.json.kubequake /etc/docker/daemon.json
  say "host lacks CAP_SYS_RESOURCE: default runtime is now $runtime_name ($wrapper)"
}

start_dockerd() {
  say "starting dockerd (log: $log)"
  mkdir -p "$(dirname "$pidfile")"
  # setsid: the engine must outlive the command that started it (a later `cluster up` reuses it).
  setsid nohup dockerd --pidfile "$pidfile" >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 60); do engine_answers && return 0; sleep 1; done
  fail "dockerd did not answer within 60 s." "read $log (last lines: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' '))"
}

stop_own_dockerd() {
  local pid; pid=$(cat "$pidfile" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || fail "Docker must be restarted to use the $runtime_name runtime, but kubequake did not start it." \
    "restart the Docker daemon yourself (systemctl restart docker), then run again."
  say "restarting dockerd (pid $pid) to load the runtime"
  kill "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  fail "dockerd (pid $pid) did not stop within 30 s." "stop it yourself (kill $pid), then run again."
}

if ! engine_answers && [ "$(id -u)" != 0 ]; then
  if command -v dockerd >/dev/null; then
    fail "no Docker engine answers for $(id -un) (dockerd is installed, but not running, or you may not use its socket)." \
      "start it (sudo systemctl start docker) and add yourself to the docker group (sudo usermod -aG docker $(id -un)), or run kubequake as root."
  fi
  fail "no Docker engine answers and dockerd is not installed; installing it needs root (you are $(id -un))." \
    "install Docker yourself (Debian: sudo apt-get install docker.io && sudo systemctl start docker), or run kubequake as root."
fi
bash "$here/apt-install.sh" jq
if ! engine_answers; then
  command -v dockerd >/dev/null || install_engine
  if cap_sys_resource_missing; then configure_runtime; fi
  start_dockerd
elif cap_sys_resource_missing && [ "$(default_runtime)" != "$runtime_name" ]; then
  configure_runtime; stop_own_dockerd; start_dockerd
fi
if cap_sys_resource_missing; then install -m 0755 "$here/runc-without-sys-resource" "$wrapper"; fi
# kind's known issue: several nodes exhaust the default inotify limits ("too many open files").
if [ "$(id -u)" = 0 ]; then
  [ "$(cat /proc/sys/fs/inotify/max_user_instances)" -ge 512 ] || sysctl -qw fs.inotify.max_user_instances=512
  [ "$(cat /proc/sys/fs/inotify/max_user_watches)" -ge 524288 ] || sysctl -qw fs.inotify.max_user_watches=524288
fi

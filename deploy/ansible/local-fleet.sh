#!/usr/bin/env bash
# A fleet on this machine, to try the playbook and to test it: N network namespaces ("hosts")
# on a bridge, each with its own address and its own sshd that accepts a key made for this
# fleet, and a controller namespace the playbook runs in. Traffic goes only to addresses inside
# the namespaces made here (10.78.0.0/24). Needs root, iproute2 and openssh-server.
#   local-fleet.sh up N [DIR]        make h1..hN (2 to 50) and the controller; DIR (default
#                                    /tmp/copybench-fleet) holds the key, each sshd's files and
#                                    DIR/inventory.ini
#   local-fleet.sh run [DIR] -- CMD  run CMD in the controller namespace (ansible-playbook ...)
#   local-fleet.sh sshd stop|start HOST [DIR]   stop or start one host's sshd (a host gone away)
#   local-fleet.sh down [DIR]        kill every process in the fleet's namespaces, delete them
#                                    and DIR
set -euo pipefail

readonly prefix=cbfleet subnet=10.78.0 controller_ns=cbfleet-ctl bridge=cbfl-br0

die() { echo "local-fleet: $*" >&2; exit 1; }
host_ns() { echo "$prefix-$1"; }

need_tools() {
  ((EUID == 0)) || die "needs root (it makes network namespaces)"
  command -v ip >/dev/null || die "needs iproute2 (ip)"
  [[ -x /usr/sbin/sshd ]] || die "needs openssh-server (/usr/sbin/sshd)"
  command -v ssh-keygen >/dev/null || die "needs openssh-client (ssh-keygen)"
}

start_sshd() {  # HOST DIR
  local host=$1 dir=$2
  mkdir -p /run/sshd  # sshd's privilege separation directory
  ip netns exec "$(host_ns "$host")" /usr/sbin/sshd -f "$dir/$host/sshd_config" -E "$dir/$host/sshd.log"
  for _ in $(seq 50); do [[ -s $dir/$host/sshd.pid ]] && return 0; sleep 0.1; done
  die "$host: sshd did not start (see $dir/$host/sshd.log)"
}

stop_sshd() {  # HOST DIR: the listener and every session it forked (a controller's persistent
  # ssh connection, ControlPersist, would outlive the listener alone)
  local pidfile=$2/$1/sshd.pid pid
  if [[ -s $pidfile ]]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 50); do [[ -e $pidfile ]] || break; sleep 0.1; done
    rm -f "$pidfile"
  fi
  for pid in $(ip netns pids "$(host_ns "$1")" 2>/dev/null); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]] && kill "$pid" 2>/dev/null
  done
  return 0
}

write_sshd_config() {  # HOST N DIR
  local host=$1 n=$2 dir=$3
  mkdir -p "$dir/$host"
  ssh-keygen -q -t ed25519 -N '' -f "$dir/$host/ssh_host_ed25519_key"
  cat >"$dir/$host/sshd_config" <<CONFIG
ListenAddress $subnet.$n
HostKey $dir/$host/ssh_host_ed25519_key
PidFile $dir/$host/sshd.pid
AuthorizedKeysFile $dir/controller_key.pub
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem sftp internal-sftp
CONFIG
}

make_host() {  # HOST N DIR: its namespace, a veth into the controller's bridge, its sshd
  local host=$1 n=$2 dir=$3 ns
  ns=$(host_ns "$host")
  ip netns add "$ns"
  ip link add "cbfl-$host" netns "$controller_ns" type veth peer name eth0 netns "$ns"
  ip -n "$controller_ns" link set "cbfl-$host" master "$bridge" up
  ip -n "$ns" addr add "$subnet.$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  write_sshd_config "$host" "$n" "$dir"
  start_sshd "$host" "$dir"
}

write_inventory() {  # DIR N
  local dir=$1 n=$2
  {
    echo "# The local fleet (deploy/ansible/local-fleet.sh up $n): run the playbook in its controller"
    echo "# namespace, local-fleet.sh run $dir -- ansible-playbook -i $dir/inventory.ini ..."
    echo "[fleet]"
    for i in $(seq "$n"); do echo "h$i ansible_host=$subnet.$i fleet_address=$subnet.$i"; done
    echo
    echo "[fleet:vars]"
    echo "ansible_user=root"
    echo "ansible_ssh_private_key_file=$dir/controller_key"
    echo "ansible_ssh_common_args='-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=$dir/known_hosts -o ConnectTimeout=5'"
    echo "ansible_python_interpreter=/usr/bin/python3"
    echo "# Every host of this fleet shares one filesystem: each keeps its files apart."
    echo "fleet_remote_root=$dir/remote"
  } >"$dir/inventory.ini"
}

up() {  # N DIR
  local n=$1 dir=$2
  [[ $n =~ ^[0-9]+$ ]] && ((n >= 2 && n <= 50)) || die "N must be 2 to 50, got '$n'"
  need_tools
  ip netns list | grep -q "^$controller_ns\b" && die "a local fleet is up already (local-fleet.sh down first)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  trap 'echo "local-fleet: up failed; removing what was made" >&2; down "$dir"' ERR
  ssh-keygen -q -t ed25519 -N '' -C copybench-local-fleet -f "$dir/controller_key"
  ip netns add "$controller_ns"
  ip -n "$controller_ns" link set lo up
  ip -n "$controller_ns" link add "$bridge" type bridge
  ip -n "$controller_ns" addr add "$subnet.254/24" dev "$bridge"
  ip -n "$controller_ns" link set "$bridge" up
  : >"$dir/hosts"
  for i in $(seq "$n"); do
    echo "h$i" >>"$dir/hosts"
    make_host "h$i" "$i" "$dir"
  done
  write_inventory "$dir" "$n"
  trap - ERR
  echo "local-fleet: $n hosts up ($subnet.1-$subnet.$n); inventory $dir/inventory.ini"
}

down() {  # DIR
  local dir=$1 ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    # Everything running in it: sshd, a copybench server the playbook left, its children.
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null || true
  done
  sleep 0.3
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns delete "$ns"
  done
  [[ -f $dir/controller_key.pub || -f $dir/hosts ]] && rm -rf "$dir"
  return 0
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) up "${1:?usage: local-fleet.sh up N [DIR]}" "${2:-/tmp/copybench-fleet}" ;;
  down) down "${1:-/tmp/copybench-fleet}" ;;
  run)
    dir=/tmp/copybench-fleet
    [[ ${1:-} != -- ]] && { dir=$1; shift; }
    [[ ${1:-} == -- ]] || die "usage: local-fleet.sh run [DIR] -- COMMAND..."
    shift
    [[ -f $dir/inventory.ini ]] || die "no local fleet in $dir (local-fleet.sh up N first)"
    exec ip netns exec "$controller_ns" "$@"
    ;;
  sshd)
    action=${1:?usage: local-fleet.sh sshd stop|start HOST [DIR]} host=${2:?a host, as h1}
    dir=${3:-/tmp/copybench-fleet}
    grep -qx "$host" "$dir/hosts" 2>/dev/null || die "no host '$host' in the fleet of $dir"
    case "$action" in
      stop) stop_sshd "$host" "$dir" ;;
      start) start_sshd "$host" "$dir" ;;
      *) die "sshd: stop or start, got '$action'" ;;
    esac
    ;;
  *) die "usage: local-fleet.sh up N [DIR] | run [DIR] -- CMD | sshd stop|start HOST [DIR] | down [DIR]" ;;
esac

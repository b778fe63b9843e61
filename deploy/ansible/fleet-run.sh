#!/usr/bin/env bash
# ansible-playbook fleet.yml, then, when the run was interrupted (Ctrl-C, SIGTERM) or failed
# before its own cleanup, cleanup.yml with the same inventory and variables: the cleanup play
# always runs, so no server is left on the hosts.
#   deploy/ansible/fleet-run.sh -i INVENTORY [-e VAR=VALUE ...] [other ansible-playbook options]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
interrupted=0
# The terminal's Ctrl-C reaches ansible-playbook too (one process group, in the foreground): it
# stops, and this script, having only noted the signal, goes on to the cleanup.
trap 'interrupted=1' INT TERM
ansible-playbook "$@" "$here/fleet.yml"
rc=$?
if ((interrupted || rc != 0)); then
  # Every option but --tags/--skip-tags (cleanup.yml's tasks carry none) and a limit of steps.
  args=()
  skip=0
  for a in "$@"; do
    if ((skip)); then skip=0; continue; fi
    case "$a" in
      -t | --tags | --skip-tags | --start-at-task) skip=1 ;;
      --tags=* | --skip-tags=* | --start-at-task=* | --step) ;;
      *) args+=("$a") ;;
    esac
  done
  echo "fleet-run: the run $( ((interrupted)) && echo "was interrupted" || echo "failed (exit $rc)"); stopping the servers (cleanup.yml)" >&2
  trap '' INT  # the cleanup runs to its end
  ansible-playbook "${args[@]}" "$here/cleanup.yml" || echo "fleet-run: the cleanup failed too; run it again: ansible-playbook ${args[*]} $here/cleanup.yml" >&2
fi
exit $(( interrupted ? 130 : rc ))

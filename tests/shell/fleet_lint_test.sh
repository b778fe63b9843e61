#!/usr/bin/env bash
# deploy/ansible: `ansible-playbook --syntax-check` of both playbooks and `ansible-lint` (its
# production profile; any exception is a `# noqa` with its reason inline). Exit 77 (a skip)
# without ansible-core or ansible-lint.
#   usage: fleet_lint_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v ansible-playbook >/dev/null || { echo "skip: ansible-core is not installed"; exit 77; }
command -v ansible-lint >/dev/null || { echo "skip: ansible-lint is not installed"; exit 77; }
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
for playbook in fleet.yml cleanup.yml; do ansible-playbook --syntax-check -i localhost, "deploy/ansible/$playbook"; done
# Its cache and logs in a scratch home: a test leaves nothing behind.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
HOME=$home ansible-lint --nocolor --profile production deploy/ansible

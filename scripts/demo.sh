#!/usr/bin/env bash
# Sets up cinfra and applies the demo stack (stacks/demo.ts). Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/make-busybox-rootfs.sh stacks/.rootfs/busybox
npx cinfra plan stacks/demo.ts
npx cinfra apply stacks/demo.ts --yes
npx cinfra ps
echo
echo "Try: npx cinfra logs client   |   npx cinfra destroy stacks/demo.ts --yes"

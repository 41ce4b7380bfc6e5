#!/usr/bin/env bash
# Builds a minimal root filesystem from Debian's busybox-static: the binary, one link per applet.
set -euo pipefail
dest=${1:?usage: make-busybox-rootfs.sh DEST}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "busybox-static is not installed: apt-get install -y busybox-static" >&2; exit 1; }
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"/{bin,etc,tmp,proc,sys,dev,root,data}
cp "$busybox" "$dest.tmp/bin/busybox"
for applet in $("$busybox" --list); do [ "$applet" = busybox ] || ln -s busybox "$dest.tmp/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dest.tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dest.tmp/etc/group"
chmod 1777 "$dest.tmp/tmp"
rm -rf "$dest" && mv "$dest.tmp" "$dest"

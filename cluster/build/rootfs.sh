#!/usr/bin/env bash
# Makes a Debian rootfs tarball with debootstrap: $1 = output tar, $2 = work dir, $3 = flavour (node|component).
#   node:      kind's node userland (systemd, containerd, runc, iptables …) — kind's base image, built offline.
#   component: a small userland with iptables/conntrack for kube-proxy, flanneld and the component images.
set -euo pipefail
out=$1; work=$2; flavour=$3
: "${DEBIAN_SUITE:?}"
bash "$(dirname "$0")/../engine/apt-install.sh" debootstrap
mirror=${KUBEQUAKE_DEBIAN_MIRROR:-$(awk '/^deb / && $3 ~ /^'"$DEBIAN_SUITE"'$/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
mirror=${mirror:-http://deb.debian.org/debian}
case "$flavour" in
  node) packages=systemd,systemd-sysv,dbus,iptables,nftables,iproute2,kmod,mount,util-linux,procps,jq,ca-certificates,conntrack,ethtool,libseccomp2,pigz,containerd,runc,bash,e2fsprogs,curl,socat ;;
  component) packages=iptables,nftables,conntrack,iproute2,ca-certificates,ipset ;;
  *) echo "rootfs.sh: unknown flavour '$flavour' (expected node or component)" >&2; exit 2 ;;
esac
rm -rf "$work"; mkdir -p "$work"
echo "debootstrap $DEBIAN_SUITE ($flavour) from $mirror"
debootstrap --variant=minbase --include="$packages" "$DEBIAN_SUITE" "$work/root" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
tar --numeric-owner -C "$work/root" -cf "$out" .
rm -rf "$work"

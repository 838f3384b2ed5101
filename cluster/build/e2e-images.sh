#!/usr/bin/env bash
# Builds the one image Kubernetes' Services and DNS e2e tests run, and names it as e2e.test expects.
# $1 = output dir, $2 = work dir, $3 = e2e-tests stage dir (e2e.test, agnhost), $4 = coredns stage dir,
# $5 = the image to build (its tag is the stage's cache key); the four names are tags of it.
# Writes $1/repo-list.yaml (for e2e.test --kube-test-repo-list) and $1/images.txt (the names, one a line).
#
# Upstream, agnhost, jessie-dnsutils, busybox and pause are four images pulled from registry.k8s.io. No registry is
# reachable here, so one Debian rootfs carries what the tests exec in any of them (agnhost, sh, curl, wget, nc, dig,
# nslookup, ip, ping, ps) with the layout of agnhost's Dockerfile, and is tagged under all four names of a made-up
# registry that repo-list.yaml hands to e2e.test. The rootfs is made here rather than by rootfs.sh because that
# script's digest keys the node image: a new flavour there would rebuild the cluster.
set -euo pipefail
out=$1; work=$2; e2e=$3; coredns=$4; base=$5
: "${DEBIAN_SUITE:?}" "${KUBERNETES_VERSION:?}"
registry=kubequake.local/e2e
bash "$(dirname "$0")/../engine/apt-install.sh" debootstrap
mirror=${KUBEQUAKE_DEBIAN_MIRROR:-$(awk '/^deb / && $3 ~ /^'"$DEBIAN_SUITE"'$/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)}
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
mirror=${mirror:-http://deb.debian.org/debian}
packages=bash,curl,wget,netcat-openbsd,dnsutils,bind9-host,iproute2,iputils-ping,procps,ca-certificates
rm -rf "$work"; mkdir -p "$work" "$out"
root=$work/root
echo "debootstrap $DEBIAN_SUITE (e2e test image) from $mirror"
debootstrap --variant=minbase --include="$packages" "$DEBIAN_SUITE" "$root" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# Documentation and translations are a fifth of the rootfs, and the image is streamed into every node.
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* \
  "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/locale" "$root/usr/share/info"

# The layout of test/images/agnhost/Dockerfile: /agnhost and its agnhost-2 link (entrypoint tests), /uploads
# (netexec), porter's certificate in / , /coredns (DNS tests start it from this image), and a uid 1000 user in a
# gid 50000 group (SupplementalGroups tests).
kubernetes_dir=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .Dir)
install -m 0755 "$e2e/agnhost" "$root/agnhost"
ln -s agnhost "$root/agnhost-2"
mkdir -p "$root/uploads"
install -m 0644 "$kubernetes_dir/test/images/agnhost/porter/localhost.crt" "$root/localhost.crt"
install -m 0644 "$kubernetes_dir/test/images/agnhost/porter/localhost.key" "$root/localhost.key"
install -m 0755 "$coredns/coredns" "$root/coredns"
chroot "$root" groupadd -g 50000 group-defined-in-image
chroot "$root" useradd -u 1000 -G group-defined-in-image user-defined-in-image

docker rmi "$base" >/dev/null 2>&1 || true
tar --numeric-owner -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENTRYPOINT ["/agnhost"]' --change 'CMD ["pause"]' - "$base" >/dev/null
rm -rf "$work"

# The names come from e2e.test itself, so a new Kubernetes version's tags are picked up without editing this file.
printf 'promoterE2eRegistry: %s\ngcRegistry: %s\n' "$registry" "$registry" > "$out/repo-list.yaml"
"$e2e/e2e.test" --kube-test-repo-list="$out/repo-list.yaml" --list-images \
  | grep -E "^$registry/(agnhost|jessie-dnsutils|busybox|pause):" | sort -u > "$out/images.txt"
for name in agnhost jessie-dnsutils busybox pause; do
  grep -q "^$registry/$name:" "$out/images.txt" \
    || { echo "e2e.test --list-images names no $registry/$name image; it listed:" >&2; cat "$out/images.txt" >&2; exit 1; }
done
while read -r image; do docker tag "$base" "$image"; echo "image $image"; done < "$out/images.txt"
# Images of earlier recipes are no longer named by anything; each is 260 MB.
docker images --format '{{.Repository}}:{{.Tag}}' "${base%:*}" | grep -vxF "$base" | xargs -r docker rmi >/dev/null || true

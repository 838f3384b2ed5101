#!/usr/bin/env bash
# Builds MetalLB's controller and speaker from the Go module proxy and one image holding both (/controller,
# /speaker; the install sets each container's command). $1 = image name, $2 = output dir, $3 = work dir.
# The output dir also receives MetalLB's own install manifest (config/manifests/metallb-native.yaml) read from the
# Go module cache, so `cluster up` installs exactly what upstream ships for this version (nothing is committed here).
#
# v0.16.2 requires github.com/metallb/frr-k8s v0.0.27, which the Go proxy does not serve (v0.0.21 is the newest it
# has). That module only backs the FRR-K8s BGP mode; kubequake runs MetalLB in L2 mode. So, as for flannel, a
# scratch copy of the module is built with frr-k8s replaced by v0.0.21 and the three lines of the frr-k8s backend
# that use the newer AS-path-prepend API removed (the BGP mode loses AS-path prepending; L2 is untouched).
set -euo pipefail
image=$1; out=$2; work=$3
: "${METALLB_VERSION:?}"
export GOFLAGS=-mod=mod CGO_ENABLED=0
module_dir=$(go mod download -json "go.universe.tf/metallb@$METALLB_VERSION" | jq -r .Dir)
rm -rf "$work"; mkdir -p "$work" "$out"
cp -r "$module_dir" "$work/src"; chmod -R u+w "$work/src"
cd "$work/src"
go mod edit -replace github.com/metallb/frr-k8s=github.com/metallb/frr-k8s@v0.0.21
sed -i -e '/PrefixesWithAsPathPrepend: make(/d' -e '/neighbor.ToAdvertise.PrefixesWithAsPathPrepend = /d' \
       -e '/^func toAdvertiseWithAsPathPrepend/,/^}/d' internal/bgp/frrk8s/frrk8s.go
for program in controller speaker; do
  go build -trimpath -ldflags "-s -w" -o "$work/image/$program" "./$program"
done
cp config/manifests/metallb-native.yaml "$out/metallb-native.yaml"
# Static binaries on scratch, as upstream's distroless images; the speaker needs no tools (ARP via raw sockets).
printf 'FROM scratch\nCOPY controller speaker /\n' > "$work/image/Dockerfile"
docker build -q -t "$image" "$work/image" >/dev/null
echo "image $image"
rm -rf "$work"
ls -l "$out"

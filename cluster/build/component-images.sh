#!/usr/bin/env bash
# Builds every image the cluster runs, under exactly the names kubeadm and the CNI manifest use, and saves each to
# $1/<name>.tar for preloading into the node image. Inputs (dirs): $2 = component rootfs tar, $3 = kubernetes bins,
# $4 = etcd bin dir, $5 = coredns bin dir, $6 = flannel bin dir, $7 = pause bin dir. $8 = image tag suffix (cache key).
set -euo pipefail
out=$1 rootfs=$2 kube=$3 etcd=$4 coredns=$5 flannel=$6 pause=$7 key=$8
: "${KUBERNETES_VERSION:?}" "${ETCD_IMAGE_TAG:?}" "${COREDNS_VERSION:?}" "${FLANNEL_VERSION:?}" "${PAUSE_IMAGE_TAG:?}"
here=$(cd "$(dirname "$0")/../.." && pwd)
base=kubequake.local/component-base:$key
mkdir -p "$out"
docker image inspect "$base" >/dev/null 2>&1 || docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' "$rootfs" "$base" >/dev/null

image() {  # image <name> <from> <entrypoint-json or -> <file>...
  local name=$1 from=$2 entrypoint=$3; shift 3
  local ctx; ctx=$(mktemp -d)
  { echo "FROM $from"
    for f in "$@"; do cp "$f" "$ctx/"; echo "COPY $(basename "$f") /usr/local/bin/$(basename "$f")"; done
    [ "$entrypoint" = - ] || echo "ENTRYPOINT $entrypoint"
  } > "$ctx/Dockerfile"
  docker build -q -t "$name" "$ctx" >/dev/null
  rm -rf "$ctx"
  docker save "$name" -o "$out/$(echo "$name" | tr '/:' '__').tar.part"
  mv "$out/$(echo "$name" | tr '/:' '__').tar.part" "$out/$(echo "$name" | tr '/:' '__').tar"
  echo "image $name"
}
for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
  image "registry.k8s.io/$c:$KUBERNETES_VERSION" "$base" - "$kube/$c"
done
image "registry.k8s.io/etcd:$ETCD_IMAGE_TAG" "$base" - "$etcd/etcd"
# CoreDNS and pause run from scratch like upstream: kubeadm's CoreDNS Deployment relies on ENTRYPOINT /coredns.
image "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" scratch '["/usr/local/bin/coredns"]' "$coredns/coredns"
image "registry.k8s.io/pause:$PAUSE_IMAGE_TAG" scratch '["/usr/local/bin/pause"]' "$pause/pause"
image "kubequake.local/flannel:$FLANNEL_VERSION" "$base" '["/usr/local/bin/flannel-node"]' "$flannel/flanneld" "$here/images/flannel/flannel-node"

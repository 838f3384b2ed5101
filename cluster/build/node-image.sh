#!/usr/bin/env bash
# Assembles the kind node image the way `kind build node-image` does (docker run → copy → ctr import → docker commit),
# without its registry fetches. $1 = image name to produce, $2 = node rootfs tar, $3 = kubernetes bins,
# $4 = crictl dir, $5 = cni plugins dir, $6 = component image tars dir, $7 = scratch dir.
set -euo pipefail
image=$1 rootfs=$2 kube=$3 crictl=$4 cni=$5 tars=$6 work=$7
: "${KIND_VERSION:?}" "${KUBERNETES_VERSION:?}" "${FLANNEL_VERSION:?}" "${PAUSE_IMAGE_TAG:?}"
here=$(cd "$(dirname "$0")/../.." && pwd)
# kind's base-image files (entrypoint, containerd config, kubelet units) ship inside the kind module itself.
kind_files=$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | jq -r .Dir)/images/base/files
[ -d "$kind_files" ] || { echo "node-image.sh: $kind_files missing from the kind module" >&2; exit 1; }
rm -rf "$work"; mkdir -p "$work/root"
tar -C "$work/root" -xf "$rootfs"
R=$work/root
install -m 0755 "$kind_files"/usr/local/bin/* "$R/usr/local/bin/"
mkdir -p "$R/kind/bin" "$R/kind/manifests" "$R/etc/containerd" "$R/etc/default" "$R/etc/sysctl.d" \
  "$R/etc/systemd/system/kubelet.service.d" "$R/opt/cni/bin" "$R/etc/cni/net.d"
cp "$kind_files/kind/README.txt" "$R/kind/"; install -m 0755 "$kind_files"/kind/bin/* "$R/kind/bin/"
install -m 0644 "$kind_files/etc/crictl.yaml" "$R/etc/"
install -m 0644 "$kind_files/etc/containerd/config.toml" "$R/etc/containerd/"
install -m 0644 "$kind_files/etc/default/kubelet" "$R/etc/default/"
install -m 0644 "$kind_files"/etc/sysctl.d/* "$R/etc/sysctl.d/"
install -m 0644 "$kind_files"/etc/systemd/system/*.service "$kind_files/etc/systemd/system/kubelet.slice" "$R/etc/systemd/system/"
install -m 0644 "$kind_files"/etc/systemd/system/kubelet.service.d/* "$R/etc/systemd/system/kubelet.service.d/"
install -m 0755 "$crictl/crictl" "$R/usr/local/bin/"
install -m 0755 "$cni"/* "$R/opt/cni/bin/"
install -m 0755 "$kube/kubeadm" "$kube/kubelet" "$kube/kubectl" "$R/usr/bin/"
ln -sf /usr/bin/containerd "$R/usr/local/bin/containerd"   # kind's unit runs /usr/local/bin/containerd
# restrict_oom_score_adj: hosts without CAP_SYS_RESOURCE cannot lower oom_score_adj, which every sandbox and
# critical static pod asks for; the pause image name must be the one preloaded below.
sed -i -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' \
       -e "s#sandbox_image = .*#sandbox_image = \"registry.k8s.io/pause:$PAUSE_IMAGE_TAG\"#" "$R/etc/containerd/config.toml"
grep -q 'restrict_oom_score_adj = true' "$R/etc/containerd/config.toml"
chroot "$R" sh -c 'ctr oci spec | jq ".hooks.createContainer[.hooks.createContainer|length] |= . + {\"path\":\"/kind/bin/mount-product-files.sh\"}" | jq "del(.process.rlimits)" > /etc/containerd/cri-base.json'
chroot "$R" sh -ec '
  find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
  rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* /lib/systemd/system/local-fs.target.wants/* \
        /lib/systemd/system/sockets.target.wants/*udev* /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
  echo ReadKMsg=no >> /etc/systemd/journald.conf
  ln -sf /usr/lib/systemd/systemd /sbin/init
  systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
  systemctl mask systemd-binfmt.service >/dev/null 2>&1
  mkdir -p /etc/kubernetes/manifests'
echo -n "$KUBERNETES_VERSION" > "$R/kind/version"
sed "s#FLANNEL_IMAGE#kubequake.local/flannel:$FLANNEL_VERSION#" "$here/cluster/node/cni-flannel.yaml" > "$R/kind/manifests/default-cni.yaml"
: > "$R/etc/machine-id"
base=$image-base
tar --numeric-owner -C "$R" -c . | docker import --change 'ENV container=docker' - "$base-rootfs" >/dev/null
rm -rf "$work"; mkdir -p "$work"
# docker import cannot set STOPSIGNAL; a two-line build on top of the imported rootfs can.
printf 'FROM %s\nENV container=docker\nSTOPSIGNAL SIGRTMIN+3\nENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]\n' "$base-rootfs" > "$work/Dockerfile"
docker build -q -t "$base" "$work" >/dev/null
docker rmi "$base-rootfs" >/dev/null

builder=kubequake-node-build-$$
trap 'docker rm -f "$builder" >/dev/null 2>&1 || true' EXIT
docker run -d --name "$builder" --entrypoint=sleep --security-opt seccomp=unconfined "$base" infinity >/dev/null
docker exec "$builder" bash -c 'nohup containerd >/tmp/containerd.log 2>&1 &'
docker exec "$builder" bash -c 'for i in $(seq 1 50); do ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; cat /tmp/containerd.log; exit 1'
for t in "$tars"/*.tar; do
  docker exec -i "$builder" ctr -n k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests - < "$t" >/dev/null
done
echo "preloaded images:"; docker exec "$builder" ctr -n k8s.io images ls -q | grep -v '^sha256:\|^import-'
docker exec "$builder" pkill containerd || true
# `sleep` is PID 1 in the build container and reaps nothing, so a stopped containerd lingers as a zombie.
docker exec "$builder" bash -c 'for i in $(seq 1 100); do ps -o stat= -C containerd | grep -qv "^Z" || exit 0; sleep 0.1; done
  echo "containerd did not stop within 10 s" >&2; exit 1'
docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' "$builder" "$image" >/dev/null
docker rm -f "$builder" >/dev/null
docker rmi "$base" >/dev/null
echo "node image $image ($(docker image inspect -f '{{.Size}}' "$image") bytes)"

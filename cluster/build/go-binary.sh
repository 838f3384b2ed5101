#!/usr/bin/env bash
# Builds one pinned Go program from the Go module proxy: $1 = name, $2 = output dir, $3 = work dir.
# Each is built from a throwaway consumer module (`go get -tool` + `go build`), which also works for modules whose
# own go.mod carries replace/exclude directives that make `go install pkg@version` refuse them (etcd, containerd).
set -euo pipefail
name=$1; out=$2; work=$3
export GOFLAGS=-mod=mod CGO_ENABLED=0
build() {  # build <module@version> <package> <binary name> [ldflags]
  local module=$1 package=$2 binary=$3 ldflags=${4:-}
  mkdir -p "$work/$binary" "$out"
  (cd "$work/$binary"
   [ -f go.mod ] || go mod init "kubequake.local/build/$binary" >/dev/null 2>&1
   go get -tool "$package@${module#*@}"
   go build -trimpath -ldflags "-s -w $ldflags" -o "$out/$binary" "$package")
}
case "$name" in
  kind) build "sigs.k8s.io/kind@${KIND_VERSION:?}" sigs.k8s.io/kind kind ;;
  crictl) build "sigs.k8s.io/cri-tools@${CRICTL_VERSION:?}" sigs.k8s.io/cri-tools/cmd/crictl crictl \
            "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" ;;
  cni-plugins)
    p=github.com/containernetworking/plugins/plugins
    for plugin in main/bridge main/loopback ipam/host-local meta/portmap; do
      build "github.com/containernetworking/plugins@${CNI_PLUGINS_VERSION:?}" "$p/$plugin" "$(basename "$plugin")" \
        "-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
    done ;;
  etcd) build "go.etcd.io/etcd/server/v3@${ETCD_VERSION:?}" go.etcd.io/etcd/server/v3 etcd ;;
  coredns) build "github.com/coredns/coredns@${COREDNS_VERSION:?}" github.com/coredns/coredns coredns ;;
  flannel)
    # flanneld's main imports every backend: the Tencent Cloud VPC one needs an SDK module the Go proxy does not serve,
    # and the deprecated udp one needs cgo. kubequake uses vxlan, so it builds a scratch copy of the module whose
    # main.go lacks those two imports (nothing of flannel is vendored or committed).
    module_dir=$(go mod download -json "github.com/flannel-io/flannel@${FLANNEL_VERSION:?}" | jq -r .Dir)
    rm -rf "$work/flannel-src"; mkdir -p "$work" "$out"
    cp -r "$module_dir" "$work/flannel-src"; chmod -R u+w "$work/flannel-src"
    sed -i -e '\#"github.com/flannel-io/flannel/pkg/backend/tencentvpc"#d' \
           -e '\#"github.com/flannel-io/flannel/pkg/backend/udp"#d' "$work/flannel-src/main.go"
    (cd "$work/flannel-src" && go build -trimpath \
       -ldflags "-s -w -X github.com/flannel-io/flannel/pkg/version.Version=$FLANNEL_VERSION" -o "$out/flanneld" .) ;;
  *) echo "go-binary.sh: unknown program '$name'" >&2; exit 2 ;;
esac
ls -l "$out"

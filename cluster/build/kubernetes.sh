#!/usr/bin/env bash
# Builds the Kubernetes binaries from the Go module proxy into $1.
# k8s.io/kubernetes requires every staging module at v0.0.0 with a local replace, which a dependent
# module ignores; a consumer module maps each one to its published v0.<minor>.<patch> tag instead.
set -euo pipefail
out=$1; work=$2
: "${KUBERNETES_VERSION:?}" "${KUBERNETES_STAGING_VERSION:?}"
export GOFLAGS=-mod=mod CGO_ENABLED=0
mkdir -p "$work" "$out"; cd "$work"
[ -f go.mod ] || go mod init kubequake.local/k8sbuild >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .GoMod)
for m in $(go mod edit -json "$gomod" | jq -r '.Replace[] | select(.New.Path|startswith("./staging/")) | .Old.Path'); do
  go mod edit -replace="$m=$m@$KUBERNETES_STAGING_VERSION"
done
godebug=$(go mod edit -json "$gomod" | jq -r '.GoDebug[]? | select(.Key=="default") | .Value')
[ -z "$godebug" ] || go mod edit -godebug="default=$godebug"
commands="kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy"
for c in $commands; do go get -tool "k8s.io/kubernetes/cmd/$c@$KUBERNETES_VERSION"; done
minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  ldflags="$ldflags -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=1970-01-01T00:00:00Z"
done
for c in $commands; do
  echo "building $c"
  go build -trimpath -ldflags "$ldflags" -o "$out/$c" "k8s.io/kubernetes/cmd/$c"
done
"$out/kubeadm" version -o short

#!/usr/bin/env bash
# Builds Kubernetes' own conformance tooling from the Go module proxy into $1: e2e.test, agnhost (the image the
# tests run), kubectl (the tests exec through a kubectl of the cluster's version) and the ginkgo CLI. $2 = work dir.
# Same consumer module as kubernetes.sh: k8s.io/kubernetes requires its staging modules at v0.0.0 with local
# replaces a dependent module ignores, so each one is mapped to its published v0.<minor>.<patch> tag.
set -euo pipefail
out=$1; work=$2
: "${KUBERNETES_VERSION:?}" "${KUBERNETES_STAGING_VERSION:?}"
export GOFLAGS=-mod=mod CGO_ENABLED=0
mkdir -p "$work" "$out"; cd "$work"
[ -f go.mod ] || go mod init kubequake.local/e2ebuild >/dev/null 2>&1
gomod=$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .GoMod)
for m in $(go mod edit -json "$gomod" | jq -r '.Replace[] | select(.New.Path|startswith("./staging/")) | .Old.Path'); do
  go mod edit -replace="$m=$m@$KUBERNETES_STAGING_VERSION"
done
godebug=$(go mod edit -json "$gomod" | jq -r '.GoDebug[]? | select(.Key=="default") | .Value')
[ -z "$godebug" ] || go mod edit -godebug="default=$godebug"
# -t brings in the test-only dependencies of the e2e package (ginkgo, gomega, …) at the versions Kubernetes requires.
go get -t "k8s.io/kubernetes/test/e2e@$KUBERNETES_VERSION"
go get -tool "k8s.io/kubernetes/test/images/agnhost@$KUBERNETES_VERSION"
go get -tool "k8s.io/kubernetes/cmd/kubectl@$KUBERNETES_VERSION"
# The ginkgo CLI at exactly the version Kubernetes' go.mod requires: an unpinned `go get` of it upgrades gomega and
# golang.org/x/* for the whole build, and a CLI newer than the library in e2e.test refuses parallel runs.
ginkgo_version=$(go list -m -f '{{.Version}}' github.com/onsi/ginkgo/v2)
go get -tool "github.com/onsi/ginkgo/v2/ginkgo@$ginkgo_version"
echo "ginkgo $ginkgo_version"
minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags="$ldflags -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  ldflags="$ldflags -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=1970-01-01T00:00:00Z"
done
echo "building kubectl, agnhost, ginkgo"
go build -trimpath -ldflags "$ldflags" -o "$out/kubectl" k8s.io/kubernetes/cmd/kubectl
go build -trimpath -ldflags "$ldflags" -o "$out/agnhost" k8s.io/kubernetes/test/images/agnhost
go build -trimpath -ldflags "-s -w" -o "$out/ginkgo" github.com/onsi/ginkgo/v2/ginkgo
echo "building e2e.test (about 6 minutes on 2 cores with a warm Go cache)"
go test -c -trimpath -ldflags "$ldflags" -o "$out/e2e.test" k8s.io/kubernetes/test/e2e
"$out/kubectl" version --client
"$out/e2e.test" --help > "$work/e2e-help.txt" 2>&1 || true
grep -q -- "-provider" "$work/e2e-help.txt" || { echo "e2e.test does not start:" >&2; tail -n 20 "$work/e2e-help.txt" >&2; exit 1; }

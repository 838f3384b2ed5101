// Command demo is the kubequake test workload: one static binary that acts
// as a Service backend, a frontend calling a backend Service, or a prober
// that sends traffic from inside the cluster on command.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// version is meant to be set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usageText = `usage: demo <role> [flags]

roles:
  backend     serve pod identity as JSON over HTTP and UDP (same ports), with /healthz, /readyz,
              /admin toggles and the prober's POST /probe/http and /probe/dns
  frontend    call BACKEND_URL on every request and relay its answer
  prober      HTTP API: POST /probe/http, POST /probe/dns, POST /load/start (background load, vegeta)
  probe-http  one-shot HTTP probe: --url U --count N [--concurrency C]
  probe-dns   one-shot DNS probe: --name N --type A|AAAA|SRV|CNAME [--count N]
  latency-proxy  Toxiproxy with a latency toxic and/or others: LISTEN, UPSTREAM=host:port, LATENCY_MS, TOXICS (JSON)
  version     print the version

Run "demo <role> -h" for the flags of a role.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	role, rest := args[0], args[1:]
	switch role {
	case "backend":
		return runBackendRole(rest)
	case "frontend":
		return runFrontendRole(rest)
	case "prober":
		return runProberRole(rest)
	case "probe-http":
		return runProbeHTTPCLI(rest, stdout, stderr)
	case "latency-proxy":
		return runLatencyProxyRole(rest)
	case "probe-dns":
		return runProbeDNSCLI(rest, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	}
	fmt.Fprintf(stderr, "demo: unknown role %q\n\n%s", role, usageText)
	return 2
}

func versionString() string {
	s := "kubequake-demo " + version + " " + runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, setting := range info.Settings {
			if setting.Key == "vcs.revision" {
				s += " rev " + setting.Value
			}
		}
	}
	return s
}

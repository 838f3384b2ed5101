package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os/signal"
	"syscall"
)

// The one-shot CLI forms run the same probes as the prober's HTTP API and
// print the same JSON, so `kubectl exec pod -- /demo probe-http ...` works in
// a scratch image that has no shell or curl.

func runProbeHTTPCLI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe-http", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var req httpProbeRequest
	fs.StringVar(&req.URL, "url", "", "URL to GET (required)")
	fs.IntVar(&req.Count, "count", 1, fmt.Sprintf("number of requests (1..%d)", maxHTTPCount))
	fs.IntVar(&req.Concurrency, "concurrency", defaultConcurrency, fmt.Sprintf("parallel requests (1..%d)", maxConcurrency))
	fs.IntVar(&req.TimeoutMs, "timeout-ms", defaultTimeoutMs, "per-request timeout in milliseconds")
	fs.IntVar(&req.IntervalMs, "interval-ms", 0, "start request i at start+i*interval (0: as fast as possible)")
	fs.IntVar(&req.MaxDurationMs, "max-duration-ms", defaultMaxDurationMs, "stop starting requests after this many milliseconds")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := req.normalize(); err != nil {
		fmt.Fprintln(stderr, "demo probe-http:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return printJSON(stdout, stderr, runHTTPProbe(ctx, req))
}

func runProbeDNSCLI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe-dns", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var req dnsProbeRequest
	fs.StringVar(&req.Name, "name", "", "name to resolve (required); short names use resolv.conf search domains")
	fs.StringVar(&req.Type, "type", "A", "record type: A, AAAA, SRV or CNAME")
	fs.IntVar(&req.Count, "count", 1, fmt.Sprintf("number of lookups (1..%d)", maxDNSCount))
	fs.IntVar(&req.TimeoutMs, "timeout-ms", defaultTimeoutMs, "per-lookup timeout in milliseconds")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := req.normalize(); err != nil {
		fmt.Fprintln(stderr, "demo probe-dns:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return printJSON(stdout, stderr, runDNSProbe(ctx, newGoResolver(), req))
}

func printJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "demo: writing JSON to stdout:", err)
		return 1
	}
	return 0
}

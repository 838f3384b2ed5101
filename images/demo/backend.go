package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// backendAnswer is the body of every non-health backend response. The prober
// and frontend parse these field names, so they are part of the API.
type backendAnswer struct {
	Pod       string `json:"pod"`
	Namespace string `json:"namespace"`
	PodIP     string `json:"podIP"`
	Node      string `json:"node"`
	Client    string `json:"client"`
	ClientIP  string `json:"clientIP"`
	Path      string `json:"path"`
	ServedAt  string `json:"servedAt"`
	// AfterStopMs is set only when this request's connection was accepted after the pod had been told to stop
	// (SIGTERM): how long after, in milliseconds, by the pod's own clock. A backend that drains keeps accepting for
	// its drain window; one that exits on SIGTERM never sets it.
	AfterStopMs *float64 `json:"afterStopMs,omitempty"`
}

func newBackendHandler(id identity, health *healthState) http.Handler {
	// A backend can send traffic too (POST /probe/http, /probe/dns), so a test
	// can reach a Service from one of its own pods (hairpin).
	probes := newProberHandler(health, newGoResolver())
	failures := &failureInjector{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if health.serveHealthRoutes(w, r, true) {
			return
		}
		if r.URL.Path == "/admin/fail" {
			failures.serve(w, r)
			return
		}
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/probe/") {
			probes.ServeHTTP(w, r)
			return
		}
		clientIP := r.RemoteAddr
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			clientIP = host
		}
		answer := backendAnswer{
			Pod:       id.Pod,
			Namespace: id.Namespace,
			PodIP:     id.PodIP,
			Node:      id.Node,
			Client:    r.RemoteAddr,
			ClientIP:  clientIP,
			Path:      r.URL.Path,
			ServedAt:  time.Now().UTC().Format(time.RFC3339Nano),
		}
		if after, stopping := health.afterStop(acceptedAt(r)); stopping {
			ms := roundMicro(durationMs(after))
			answer.AfterStopMs = &ms
		}
		status := http.StatusOK
		if failed, fail := failures.draw(); fail {
			status = failed
		}
		writeJSON(w, status, answer)
	})
}

func runBackendRole(args []string) int {
	logger := newLogger("backend")
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	listen := fs.String("listen", envOr("LISTEN", ":8080"), "listen address (env LISTEN)")
	extra := fs.String("extra-listen", envOr("EXTRA_LISTEN", ""), "comma separated extra listen addresses serving the same handler (env EXTRA_LISTEN)")
	delayDefault, err := envDuration("SHUTDOWN_DELAY", 0)
	if err != nil {
		fmt.Fprintln(fs.Output(), "demo backend:", err)
		return 2
	}
	delay := fs.Duration("shutdown-delay", delayDefault, "how long to keep serving with failing readiness after SIGTERM (env SHUTDOWN_DELAY)")
	readyAtStart, err := envBool("READY_AT_START", true)
	if err != nil {
		fmt.Fprintln(fs.Output(), "demo backend:", err)
		return 2
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}

	health := newHealthState(readyAtStart, logger)
	id := identityFromEnv()
	addrs := append([]string{*listen}, splitList(*extra)...)
	for i, addr := range addrs {
		addrs[i] = listenAddress(addr)
	}
	// Every TCP port is a UDP port too, answering with the same identity:
	// a Service can then carry TCP and UDP on one port number.
	for _, addr := range addrs {
		if err := serveUDP(addr, id, logger.Warn); err != nil {
			logger.Error("startup failed", "err", err)
			return 1
		}
	}
	return serveRole(logger, id, newBackendHandler(id, health), health, addrs, *delay)
}

// parseFlags parses role flags; ok is false when the caller must exit with
// code (0 for -h, 2 for bad usage).
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "demo %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		fs.Usage()
		return 2, false
	}
	return 0, true
}

// listenAddress brackets an IPv6 host written without brackets ("fc00::4:29531" from
// "$(HOST_IP):29531" on an IPv6 node), so a manifest can bind to the node's IP
// whatever its family; any other address is returned as it is.
func listenAddress(addr string) string {
	if _, _, err := net.SplitHostPort(addr); err == nil || strings.Contains(addr, "[") {
		return addr
	}
	at := strings.LastIndex(addr, ":")
	if at < 0 || strings.Count(addr, ":") < 2 || net.ParseIP(addr[:at]) == nil {
		return addr
	}
	return net.JoinHostPort(addr[:at], addr[at+1:])
}

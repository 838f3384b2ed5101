package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Limits for POST /probe/http. They keep one command from tying up the
// prober (or its memory: every result is kept until the response is sent).
const (
	maxHTTPCount         = 100000
	defaultConcurrency   = 1
	maxConcurrency       = 64
	defaultTimeoutMs     = 2000
	maxTimeoutMs         = 60000
	maxIntervalMs        = 60000
	defaultMaxDurationMs = 60000
	maxMaxDurationMs     = 600000
)

type httpProbeRequest struct {
	URL           string `json:"url"`
	Count         int    `json:"count"`
	Concurrency   int    `json:"concurrency"`
	TimeoutMs     int    `json:"timeoutMs"`
	IntervalMs    int    `json:"intervalMs"`
	MaxDurationMs int    `json:"maxDurationMs"`
	// AllowedNetworks is used only by a pod without ALLOWED_NETWORKS in its
	// environment (a backend asked to send traffic): the harness sends the
	// cluster's networks, and an environment setting is never widened.
	AllowedNetworks string `json:"allowedNetworks,omitempty"`
}

const httpProbeExample = `{"url":"http://backend.ns.svc.cluster.local","count":10}`

// normalize fills defaults and validates. Zero means "default" for the
// optional numeric fields so that clients marshalling a struct without
// omitempty still get sensible behaviour.
func (p *httpProbeRequest) normalize() error {
	if p.URL == "" {
		return fmt.Errorf("url is required, e.g. %s", httpProbeExample)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		return fmt.Errorf("url %q is not a valid URL: %v", p.URL, err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("url must look like http://host[:port][/path], got %q", p.URL)
		}
	case "tcp", "udp":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("a raw %s target must look like %s://host:port, got %q", u.Scheme, u.Scheme, p.URL)
		}
	default:
		return fmt.Errorf("url must look like http://host[:port][/path], tcp://host:port or udp://host:port, got %q", p.URL)
	}
	if p.Count < 1 || p.Count > maxHTTPCount {
		return fmt.Errorf("count must be between 1 and %d, got %d", maxHTTPCount, p.Count)
	}
	if p.Concurrency == 0 {
		p.Concurrency = defaultConcurrency
	}
	if p.Concurrency < 1 || p.Concurrency > maxConcurrency {
		return fmt.Errorf("concurrency must be between 1 and %d (0 or omitted means %d), got %d",
			maxConcurrency, defaultConcurrency, p.Concurrency)
	}
	if p.TimeoutMs == 0 {
		p.TimeoutMs = defaultTimeoutMs
	}
	if p.TimeoutMs < 1 || p.TimeoutMs > maxTimeoutMs {
		return fmt.Errorf("timeoutMs must be between 1 and %d (0 or omitted means %d), got %d",
			maxTimeoutMs, defaultTimeoutMs, p.TimeoutMs)
	}
	if p.IntervalMs < 0 || p.IntervalMs > maxIntervalMs {
		return fmt.Errorf("intervalMs must be between 0 (as fast as possible) and %d, got %d", maxIntervalMs, p.IntervalMs)
	}
	if p.MaxDurationMs == 0 {
		p.MaxDurationMs = defaultMaxDurationMs
	}
	if p.MaxDurationMs < 1 || p.MaxDurationMs > maxMaxDurationMs {
		return fmt.Errorf("maxDurationMs must be between 1 and %d (0 or omitted means %d), got %d",
			maxMaxDurationMs, defaultMaxDurationMs, p.MaxDurationMs)
	}
	return nil
}

type httpProbeResult struct {
	Seq         int     `json:"seq"`
	StartUnixMs float64 `json:"startUnixMs"`
	DurationMs  float64 `json:"durationMs"`
	OK          bool    `json:"ok"`
	Status      int     `json:"status"`
	Pod         string  `json:"pod"`
	PodIP       string  `json:"podIP"`
	Node        string  `json:"node"`
	ClientIP    string  `json:"clientIP"`
	// LocalIP: the address this request left from (its connection's local
	// address), so a check of what the backend saw compares with the sender
	// of this very request, whichever family its name resolved to.
	LocalIP           string `json:"localIP,omitempty"`
	FrontendPod       string `json:"frontendPod,omitempty"`
	UpstreamErrorKind string `json:"upstreamErrorKind,omitempty"`
	// AfterStopMs: the answering pod had been told to stop this long before it accepted the connection (see
	// backendAnswer); nil when it had not.
	AfterStopMs *float64 `json:"afterStopMs,omitempty"`
	Error       string   `json:"error"`
	ErrorKind   string   `json:"errorKind"`
}

type httpProbeResponse struct {
	URL       string            `json:"url"`
	StartedAt string            `json:"startedAt"`
	Results   []httpProbeResult `json:"results"`
	NotSent   int               `json:"notSent"`
}

func newProbeClient() *http.Client {
	return newGuardedClient(probeGuard(""))
}

// probeGuard is the destination guard of a probe: ALLOWED_NETWORKS from the
// environment when set, else the networks the request names, else loopback.
func probeGuard(requested string) *destinationGuard {
	guard, err := guardFromEnv()
	if os.Getenv("ALLOWED_NETWORKS") == "" && requested != "" {
		guard, err = parseGuard(requested)
	}
	if err != nil {
		// Refuse every destination rather than probe outside the cluster with a broken guard.
		guard = &destinationGuard{source: err.Error()}
	}
	return guard
}

func newGuardedClient(guard *destinationGuard) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			// One fresh dial per request: kube-proxy balances per
			// connection, so reuse would pin every request to one endpoint.
			DisableKeepAlives:  true,
			Proxy:              nil,
			DisableCompression: true,
			DialContext:        guard.dialer().DialContext,
			// The image has no CA bundle and the probe measures Service
			// reachability, not certificates.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		},
		// Report what the Service answered, not where it redirected to.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// unixMs keeps microsecond resolution: float64 holds Unix microseconds
// exactly, whereas Unix nanoseconds would already exceed its 53-bit mantissa.
func unixMs(t time.Time) float64 {
	return float64(t.UnixMicro()) / 1000
}

func durationMs(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

// runHTTPProbe sends req.Count GET requests and returns every result in seq
// order. ctx cancels everything (the caller went away); maxDurationMs only
// stops starting new requests, so requests already started keep their full
// timeout and are never misreported as timeouts.
func runHTTPProbe(ctx context.Context, req httpProbeRequest) httpProbeResponse {
	guard := probeGuard(req.AllowedNetworks)
	client := newGuardedClient(guard)
	defer client.CloseIdleConnections()
	target, _ := url.Parse(req.URL) // normalize checked it

	timeout := time.Duration(req.TimeoutMs) * time.Millisecond
	interval := time.Duration(req.IntervalMs) * time.Millisecond
	results := make([]httpProbeResult, req.Count)

	started := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(req.Concurrency, req.Count) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range jobs {
				if target.Scheme == "tcp" || target.Scheme == "udp" {
					results[seq] = probeRawOnce(ctx, guard, target, seq, timeout)
				} else {
					results[seq] = probeHTTPOnce(ctx, client, req.URL, seq, timeout)
				}
			}
		}()
	}
	dispatched := dispatchPaced(ctx, jobs, req.Count, started, interval,
		time.Duration(req.MaxDurationMs)*time.Millisecond)
	close(jobs)
	wg.Wait()

	return httpProbeResponse{
		URL:       req.URL,
		StartedAt: started.UTC().Format(time.RFC3339Nano),
		Results:   results[:dispatched],
		NotSent:   req.Count - dispatched,
	}
}

// dispatchPaced hands sequence numbers 0..count-1 to workers in order and
// returns how many were handed out. With interval > 0, seq i is never handed
// out before started+i*interval; scheduling from the fixed start (instead of
// sleeping between sends) keeps the rate steady without drift. Because seqs
// go out in order, the ones sent are always a prefix.
func dispatchPaced(ctx context.Context, jobs chan<- int, count int, started time.Time, interval, maxDuration time.Duration) int {
	deadline := time.NewTimer(time.Until(started.Add(maxDuration)))
	defer deadline.Stop()
	pace := time.NewTimer(0)
	defer pace.Stop()
	<-pace.C

	for seq := 0; seq < count; seq++ {
		if interval > 0 {
			if wait := time.Until(started.Add(time.Duration(seq) * interval)); wait > 0 {
				pace.Reset(wait)
				select {
				case <-pace.C:
				case <-deadline.C:
					return seq
				case <-ctx.Done():
					return seq
				}
			}
		}
		select {
		case jobs <- seq:
		case <-deadline.C:
			return seq
		case <-ctx.Done():
			return seq
		}
	}
	return count
}

// upstreamAnswer matches both a backend answer and a frontend answer
// ({"frontend":{..},"backend":{..}} or {"frontend":{..},"error":..}).
type upstreamAnswer struct {
	backendAnswer
	Frontend  *frontendIdentity `json:"frontend"`
	Backend   *backendAnswer    `json:"backend"`
	Error     string            `json:"error"`
	ErrorKind string            `json:"errorKind"`
}

func probeHTTPOnce(ctx context.Context, client *http.Client, target string, seq int, timeout time.Duration) httpProbeResult {
	start := time.Now()
	res := httpProbeResult{Seq: seq, StartUnixMs: unixMs(start)}
	finish := func() httpProbeResult {
		res.DurationMs = durationMs(time.Since(start))
		return res
	}

	reqCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	reqCtx, lookup := watchLookup(reqCtx)
	reqCtx = httptrace.WithClientTrace(reqCtx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { res.LocalIP = localIP(info.Conn) },
	})
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, target, nil)
	if err != nil {
		res.Error, res.ErrorKind = fmt.Sprintf("building request: %v", err), kindOther
		return finish()
	}
	req.Header.Set("User-Agent", "kubequake-prober/"+version)
	resp, err := client.Do(req)
	if err != nil {
		res.Error, res.ErrorKind = err.Error(), lookup.classify(err)
		return finish()
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyRead))
	_ = resp.Body.Close()
	res.Status = resp.StatusCode
	// Duration covers the whole exchange including the body, which is what
	// a client of the Service experiences.
	res.DurationMs = durationMs(time.Since(start))
	fillFromAnswer(&res, body)

	switch {
	case readErr != nil:
		res.Error = fmt.Sprintf("reading body after HTTP %d: %v", resp.StatusCode, readErr)
		res.ErrorKind = classifyTransportError(readErr)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		res.Error = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if res.UpstreamErrorKind != "" {
			res.Error += ": upstream " + res.UpstreamErrorKind
		}
		res.ErrorKind = kindHTTP
	default:
		res.OK = true
	}
	return res
}

// localIP is the IP a connection left from ("" when it has none).
func localIP(conn net.Conn) string {
	if host, _, err := net.SplitHostPort(conn.LocalAddr().String()); err == nil {
		return host
	}
	return ""
}

// fillFromAnswer copies identity fields out of a backend- or frontend-shaped
// JSON body; other bodies are ignored because the URL may point anywhere.
func fillFromAnswer(res *httpProbeResult, body []byte) {
	var ans upstreamAnswer
	if json.Unmarshal(body, &ans) != nil {
		return
	}
	src := &ans.backendAnswer
	if ans.Frontend != nil {
		res.FrontendPod = ans.Frontend.Pod
		if ans.Backend != nil {
			src = ans.Backend
		}
		res.UpstreamErrorKind = ans.ErrorKind
	}
	res.Pod, res.PodIP, res.Node, res.ClientIP = src.Pod, src.PodIP, src.Node, src.ClientIP
	res.AfterStopMs = src.AfterStopMs
}

func newProberHandler(health *healthState, resolver dnsResolver) http.Handler {
	loads := newLoadRegistry()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if health.serveHealthRoutes(w, r, false) {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/load/") {
			loads.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case "/probe/http":
			if !requirePost(w, r) {
				return
			}
			var req httpProbeRequest
			if err := decodeJSONBody(w, r, &req, httpProbeExample); err != nil {
				writeJSONError(w, http.StatusBadRequest, err.Error())
				return
			}
			if err := req.normalize(); err != nil {
				writeJSONError(w, http.StatusBadRequest, err.Error())
				return
			}
			writeJSON(w, http.StatusOK, runHTTPProbe(r.Context(), req))
		case "/probe/dns":
			if !requirePost(w, r) {
				return
			}
			var req dnsProbeRequest
			if err := decodeJSONBody(w, r, &req, dnsProbeExample); err != nil {
				writeJSONError(w, http.StatusBadRequest, err.Error())
				return
			}
			if err := req.normalize(); err != nil {
				writeJSONError(w, http.StatusBadRequest, err.Error())
				return
			}
			writeJSON(w, http.StatusOK, runDNSProbe(r.Context(), resolver, req))
		default:
			writeJSONError(w, http.StatusNotFound,
				fmt.Sprintf("unknown path %q: expected POST /probe/http, POST /probe/dns, %s, GET /healthz or GET /readyz", r.URL.Path, loadRoutes))
		}
	})
}

func runProberRole(args []string) int {
	logger := newLogger("prober")
	fs := flag.NewFlagSet("prober", flag.ContinueOnError)
	listen := fs.String("listen", envOr("LISTEN", ":8080"), "listen address (env LISTEN)")
	delayDefault, err := envDuration("SHUTDOWN_DELAY", 0)
	if err != nil {
		fmt.Fprintln(fs.Output(), "demo prober:", err)
		return 2
	}
	delay := fs.Duration("shutdown-delay", delayDefault, "how long to keep serving with failing readiness after SIGTERM (env SHUTDOWN_DELAY)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	health := newHealthState(true, logger)
	handler := newProberHandler(health, newGoResolver())
	return serveRole(logger, identityFromEnv(), handler, health, []string{*listen}, *delay)
}

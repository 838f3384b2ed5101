package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func startProber(t *testing.T, resolver dnsResolver) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(newProberHandler(newHealthState(true, discardLogger()), resolver))
	t.Cleanup(srv.Close)
	return srv
}

func probeViaAPI(t *testing.T, prober *httptest.Server, req map[string]any) httpProbeResponse {
	t.Helper()
	body, _ := json.Marshal(req)
	status, out := postURL(t, prober.URL+"/probe/http", string(body))
	if status != http.StatusOK {
		t.Fatalf("POST /probe/http %s = %d %s", body, status, out)
	}
	var resp httpProbeResponse
	mustUnmarshal(t, out, &resp)
	return resp
}

func checkSeqOrder(t *testing.T, results []httpProbeResult) {
	t.Helper()
	for i, r := range results {
		if r.Seq != i {
			t.Fatalf("results[%d].seq = %d, want %d", i, r.Seq, i)
		}
	}
}

func TestProbeHTTPCountsOrderAndPodParsing(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	prober := startProber(t, fakeResolver{})
	resp := probeViaAPI(t, prober, map[string]any{"url": backend.URL + "/p", "count": 20, "concurrency": 4})

	if len(resp.Results) != 20 || resp.NotSent != 0 {
		t.Fatalf("got %d results, notSent %d; want 20, 0", len(resp.Results), resp.NotSent)
	}
	if resp.URL != backend.URL+"/p" {
		t.Errorf("url = %q", resp.URL)
	}
	started, err := time.Parse(time.RFC3339Nano, resp.StartedAt)
	if err != nil {
		t.Fatalf("startedAt %q: %v", resp.StartedAt, err)
	}
	checkSeqOrder(t, resp.Results)
	for _, r := range resp.Results {
		if !r.OK || r.Status != 200 || r.Error != "" || r.ErrorKind != "" {
			t.Errorf("seq %d not ok: %+v", r.Seq, r)
		}
		if r.Pod != testIdentity.Pod || r.PodIP != testIdentity.PodIP || r.Node != testIdentity.Node || r.ClientIP != "127.0.0.1" {
			t.Errorf("seq %d identity not parsed: %+v", r.Seq, r)
		}
		if r.LocalIP != "127.0.0.1" {
			t.Errorf("seq %d localIP = %q, want the connection's own 127.0.0.1", r.Seq, r.LocalIP)
		}
		if r.FrontendPod != "" {
			t.Errorf("seq %d frontendPod = %q for a backend answer", r.Seq, r.FrontendPod)
		}
		if r.DurationMs <= 0 || r.StartUnixMs < float64(started.UnixMicro())/1000 {
			t.Errorf("seq %d timing implausible: start %f (probe started %s) duration %f", r.Seq, r.StartUnixMs, resp.StartedAt, r.DurationMs)
		}
	}
}

func TestProbeHTTPThroughFrontendParsesBothPods(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	frontend := startFrontend(t, backend.URL, 5*time.Second)
	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: frontend.URL, Count: 2}))
	for _, r := range resp.Results {
		if !r.OK || r.Pod != testIdentity.Pod || r.FrontendPod != frontendID.Pod || r.ClientIP != "127.0.0.1" {
			t.Errorf("seq %d: %+v, want backend pod %q and frontendPod %q", r.Seq, r, testIdentity.Pod, frontendID.Pod)
		}
	}

	// A frontend whose backend is gone answers 502; the probe reports the
	// frontend pod and the upstream kind.
	broken := startFrontend(t, closedPortURL(t), 5*time.Second)
	resp = runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: broken.URL, Count: 1}))
	r := resp.Results[0]
	if r.OK || r.Status != 502 || r.ErrorKind != kindHTTP || r.FrontendPod != frontendID.Pod || r.UpstreamErrorKind != kindRefused {
		t.Errorf("broken frontend result = %+v", r)
	}
}

func TestProbeHTTPNewConnectionPerRequest(t *testing.T) {
	var mu sync.Mutex
	remotes := map[string]bool{}
	inner := newBackendHandler(testIdentity, newHealthState(true, nil))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		remotes[r.RemoteAddr] = true
		mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	defer srv.Close()

	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: srv.URL, Count: 5}))
	if len(resp.Results) != 5 {
		t.Fatalf("got %d results, want 5", len(resp.Results))
	}
	mu.Lock()
	defer mu.Unlock()
	// A new client port per request proves a fresh dial each time, which is
	// what lets kube-proxy pick a new endpoint per request.
	if len(remotes) != 5 {
		t.Errorf("server saw %d distinct client addresses for 5 requests, want 5", len(remotes))
	}
}

func TestProbeHTTPRefused(t *testing.T) {
	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: closedPortURL(t), Count: 3, Concurrency: 3}))
	if len(resp.Results) != 3 {
		t.Fatalf("got %d results, want 3", len(resp.Results))
	}
	checkSeqOrder(t, resp.Results)
	for _, r := range resp.Results {
		if r.OK || r.ErrorKind != kindRefused || !strings.Contains(r.Error, "refused") || r.Status != 0 {
			t.Errorf("seq %d = %+v, want refused", r.Seq, r)
		}
	}
}

func TestProbeHTTPTimeout(t *testing.T) {
	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: silentListener(t), Count: 2, Concurrency: 2, TimeoutMs: 100}))
	for _, r := range resp.Results {
		if r.OK || r.ErrorKind != kindTimeout {
			t.Errorf("seq %d = %+v, want timeout", r.Seq, r)
		}
		if r.DurationMs < 100 {
			t.Errorf("seq %d gave up after %.1f ms, before its 100 ms timeout", r.Seq, r.DurationMs)
		}
	}
}

func TestProbeHTTPNon2xxIsHTTPError(t *testing.T) {
	backend, health := startBackend(t, testIdentity)
	health.live.Store(false)
	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: backend.URL + "/healthz", Count: 1}))
	r := resp.Results[0]
	if r.OK || r.Status != 503 || r.ErrorKind != kindHTTP || !strings.Contains(r.Error, "503") {
		t.Errorf("result = %+v, want http error with status 503", r)
	}
}

func TestProbeHTTPPacedIntervals(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	const interval = 20
	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: backend.URL, Count: 6, Concurrency: 2, IntervalMs: interval}))
	if len(resp.Results) != 6 {
		t.Fatalf("got %d results, want 6", len(resp.Results))
	}
	started, err := time.Parse(time.RFC3339Nano, resp.StartedAt)
	if err != nil {
		t.Fatalf("startedAt: %v", err)
	}
	startMs := float64(started.UnixMicro()) / 1000
	for i, r := range resp.Results {
		// Pacing guarantees a lower bound (never early); upper bounds
		// depend on machine load and are deliberately not asserted.
		if earliest := startMs + float64(i*interval) - 0.01; r.StartUnixMs < earliest {
			t.Errorf("seq %d started at +%.3f ms, before its slot at +%d ms", i, r.StartUnixMs-startMs, i*interval)
		}
		if i > 0 && r.StartUnixMs <= resp.Results[i-1].StartUnixMs {
			t.Errorf("seq %d started before seq %d", i, i-1)
		}
	}
}

func TestProbeHTTPMaxDurationReportsNotSent(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	resp := runHTTPProbe(context.Background(), normalized(t, httpProbeRequest{URL: backend.URL, Count: 50, IntervalMs: 100, MaxDurationMs: 250}))
	if resp.NotSent < 1 || len(resp.Results)+resp.NotSent != 50 {
		t.Fatalf("results %d + notSent %d, want notSent >= 1 and a total of 50", len(resp.Results), resp.NotSent)
	}
	checkSeqOrder(t, resp.Results)
}

func TestProbeHTTPValidation(t *testing.T) {
	prober := startProber(t, fakeResolver{})
	cases := []struct {
		body, want string
	}{
		{``, "empty body"},
		{`{"url":`, "expected a JSON object"},
		{`{"count":1}`, "url is required"},
		{`{"url":"backend","count":1}`, "http://host"},
		{`{"url":"ftp://x/","count":1}`, "http://host"},
		{`{"url":"http://x/","count":0}`, "count must be between 1 and 100000, got 0"},
		{`{"url":"http://x/","count":100001}`, "got 100001"},
		{`{"url":"http://x/","count":1,"concurrency":65}`, "concurrency must be between 1 and 64"},
		{`{"url":"http://x/","count":1,"timeoutMs":-1}`, "timeoutMs"},
		{`{"url":"http://x/","count":1,"intervalMs":-5}`, "intervalMs"},
		{`{"url":"http://x/","count":1,"maxDurationMs":-1}`, "maxDurationMs"},
		{`{"url":"http://x/","count":"3"}`, "cannot unmarshal"},
		{`{"url":"http://x/","count":1,"timeout_ms":5}`, "unknown field"},
		{`{"url":"http://x/","count":1} {}`, "trailing data"},
	}
	for _, tc := range cases {
		status, out := postURL(t, prober.URL+"/probe/http", tc.body)
		var got map[string]string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Errorf("body %s: response %q is not JSON", tc.body, out)
			continue
		}
		if status != http.StatusBadRequest || !strings.Contains(got["error"], tc.want) {
			t.Errorf("body %s: got %d %q, want 400 containing %q", tc.body, status, got["error"], tc.want)
		}
	}
	if status, _ := getURL(t, prober.URL+"/probe/http"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /probe/http = %d, want 405", status)
	}
	if status, _ := getURL(t, prober.URL+"/nope"); status != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", status)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _ := getURL(t, prober.URL+path); status != 200 {
			t.Errorf("GET %s = %d, want 200", path, status)
		}
	}
}

func TestHTTPProbeDefaults(t *testing.T) {
	req := normalized(t, httpProbeRequest{URL: "http://x/", Count: 1})
	if req.Concurrency != 1 || req.TimeoutMs != 2000 || req.IntervalMs != 0 || req.MaxDurationMs != 60000 {
		t.Errorf("defaults = %+v", req)
	}
}

func TestFillFromAnswerIgnoresForeignBodies(t *testing.T) {
	for _, body := range []string{`not json`, `[1,2]`, `{"foo":"bar"}`, ``} {
		var r httpProbeResult
		fillFromAnswer(&r, []byte(body))
		if r.Pod != "" || r.FrontendPod != "" {
			t.Errorf("body %q produced identity %+v", body, r)
		}
	}
}

// TestProbeHTTPThroughput measures requests/s with a new connection per
// request against an in-process backend. It only asserts correctness; the
// figure is logged (go test -v -run Throughput) because timing assertions
// would be flaky on a loaded machine.
func TestProbeHTTPThroughput(t *testing.T) {
	count := 2000
	if testing.Short() {
		count = 300
	}
	backend, _ := startBackend(t, testIdentity)
	req := normalized(t, httpProbeRequest{URL: backend.URL, Count: count, Concurrency: 8, TimeoutMs: 5000})
	begin := time.Now()
	resp := runHTTPProbe(context.Background(), req)
	elapsed := time.Since(begin)
	failed := 0
	for _, r := range resp.Results {
		if !r.OK {
			failed++
			if failed <= 3 {
				t.Errorf("seq %d failed: %s (%s)", r.Seq, r.Error, r.ErrorKind)
			}
		}
	}
	if len(resp.Results) != count || resp.NotSent != 0 {
		t.Fatalf("got %d results, notSent %d; want %d, 0", len(resp.Results), resp.NotSent, count)
	}
	checkSeqOrder(t, resp.Results)
	t.Logf("%d requests, new connection each, concurrency %d: %v, %.0f requests/s, %d failed",
		count, req.Concurrency, elapsed.Round(time.Millisecond), float64(count)/elapsed.Seconds(), failed)
}

func BenchmarkProbeHTTP(b *testing.B) {
	health := newHealthState(true, nil)
	backend := httptest.NewServer(newBackendHandler(testIdentity, health))
	defer backend.Close()
	req := httpProbeRequest{URL: backend.URL, Count: b.N, Concurrency: 8}
	if err := req.normalize(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	resp := runHTTPProbe(context.Background(), req)
	b.StopTimer()
	for _, r := range resp.Results {
		if !r.OK {
			b.Fatalf("seq %d: %s", r.Seq, r.Error)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func normalized(t *testing.T, req httpProbeRequest) httpProbeRequest {
	t.Helper()
	if err := req.normalize(); err != nil {
		t.Fatalf("normalize(%+v): %v", req, err)
	}
	return req
}

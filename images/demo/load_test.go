package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// startLoad posts /load/start and returns the run id.
func startLoad(t *testing.T, prober *httptest.Server, req map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(req)
	status, out := postURL(t, prober.URL+"/load/start", string(body))
	if status != http.StatusOK {
		t.Fatalf("POST /load/start %s = %d %s", body, status, out)
	}
	var started struct{ ID string }
	mustUnmarshal(t, out, &started)
	if !strings.HasPrefix(started.ID, "load-") {
		t.Fatalf("id = %q", started.ID)
	}
	return started.ID
}

// pollLoad reads the run's status from the cursor since.
func pollLoad(t *testing.T, prober *httptest.Server, id string, since int) loadStatus {
	t.Helper()
	status, out := getURL(t, fmt.Sprintf("%s/load/%s?since=%d", prober.URL, id, since))
	if status != http.StatusOK {
		t.Fatalf("GET /load/%s = %d %s", id, status, out)
	}
	var st loadStatus
	mustUnmarshal(t, out, &st)
	return st
}

// collectLoad polls incrementally, as the harness does, until the run is done
// (or the deadline passes), and returns the last status with every sample.
func collectLoad(t *testing.T, prober *httptest.Server, id string, deadline time.Duration) loadStatus {
	t.Helper()
	var samples []loadSampleJSON
	next := 0
	for end := time.Now().Add(deadline); ; {
		st := pollLoad(t, prober, id, next)
		samples = append(samples, st.Samples...)
		next = st.Next
		if st.State == "done" && next == st.Completed {
			st.Samples = samples
			return st
		}
		if time.Now().After(end) {
			t.Fatalf("load %s still %s after %s: %+v", id, st.State, deadline, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLoadHoldsRateWithScheduledTimesAndNewConnections(t *testing.T) {
	var mu sync.Mutex
	remotes := map[string]bool{}
	inner := newBackendHandler(testIdentity, newHealthState(true, nil))
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		remotes[r.RemoteAddr] = true
		mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	defer backend.Close()
	prober := startProber(t, fakeResolver{})

	const rate, durationMs = 200, 500
	id := startLoad(t, prober, map[string]any{"url": backend.URL, "rate": rate, "durationMs": durationMs})
	st := collectLoad(t, prober, id, 10*time.Second)

	if st.State != "done" || st.StopReason != "duration" || st.Planned != 100 || st.Completed != 100 || len(st.Samples) != 100 {
		t.Fatalf("state %s/%s planned %d completed %d samples %d; want done/duration 100 100 100",
			st.State, st.StopReason, st.Planned, st.Completed, len(st.Samples))
	}
	if !st.RateHeld || st.AchievedRate < 0.9*rate || st.AchievedRate > 1.01*rate {
		t.Errorf("achieved %.2f req/s of %d, rateHeld %v %v", st.AchievedRate, rate, st.RateHeld, st.RateProblems)
	}
	interval := 1000.0 / rate
	seen := map[uint64]bool{}
	for _, s := range st.Samples {
		seen[s.Seq] = true
		want := st.BeganUnixMs + float64(s.Seq+1)*interval
		if math.Abs(s.ScheduledUnixMs-want) > 0.002 {
			t.Errorf("seq %d scheduled at %.3f, want began + (seq+1) × %.0f ms = %.3f", s.Seq, s.ScheduledUnixMs, interval, want)
		}
		// vegeta sleeps until the slot and a sleep never ends early; two
		// workers may swap adjacent seqs, a few µs apart.
		if s.StartUnixMs < s.ScheduledUnixMs-0.5 {
			t.Errorf("seq %d started %.3f ms before its slot", s.Seq, s.ScheduledUnixMs-s.StartUnixMs)
		}
		wantLatency := s.StartUnixMs - s.ScheduledUnixMs + s.ServiceMs
		if math.Abs(s.LatencyMs-wantLatency) > 0.003 || s.ServiceMs <= 0 {
			t.Errorf("seq %d latency %.3f ms, want start − scheduled + service = %.3f", s.Seq, s.LatencyMs, wantLatency)
		}
		if !s.OK || s.Status != 200 || s.ErrorKind != "" || s.Pod != testIdentity.Pod {
			t.Errorf("seq %d = %+v, want ok from %s", s.Seq, s, testIdentity.Pod)
		}
		if s.StartUnixMs != math.Round(s.StartUnixMs*1000)/1000 {
			t.Errorf("seq %d start %v is not in whole microseconds", s.Seq, s.StartUnixMs)
		}
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct seqs, want 0..99 once each", len(seen))
	}
	if st.ScheduleLagMs.Max < st.ScheduleLagMs.P99 || st.ScheduleLagMs.P99 < st.ScheduleLagMs.P50 {
		t.Errorf("schedule lag quantiles out of order: %+v", st.ScheduleLagMs)
	}
	mu.Lock()
	defer mu.Unlock()
	// A new client port per request: kube-proxy picks an endpoint per connection.
	if len(remotes) != 100 {
		t.Errorf("backend saw %d distinct client addresses for 100 requests, want 100", len(remotes))
	}
}

// resetMidBodyListener answers headers and part of the body, then aborts the
// connection: the error comes while vegeta reads the body.
func resetMidBodyListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, _ = conn.Read(make([]byte, 4096))
			_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"pod\":"))
			time.Sleep(10 * time.Millisecond)
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return "http://" + ln.Addr().String() + "/"
}

func TestLoadErrorKinds(t *testing.T) {
	backend, health := startBackend(t, testIdentity)
	health.live.Store(false)
	prober := startProber(t, fakeResolver{})
	cases := []struct {
		name, url, kind, message string
		timeoutMs                int
	}{
		{"closed port", closedPortURL(t), kindRefused, "refused", 0},
		{"silent listener", silentListener(t), kindTimeout, "deadline", 50},
		{"reset before the answer", hangupListener(t, true), kindReset, "reset", 0},
		{"reset in the body", resetMidBodyListener(t), kindReset, "", 0},
		{"HTTP 503", backend.URL + "/healthz", kindHTTP, "503", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := startLoad(t, prober, map[string]any{"url": tc.url, "rate": 100, "durationMs": 50, "timeoutMs": tc.timeoutMs})
			st := collectLoad(t, prober, id, 10*time.Second)
			if len(st.Samples) != 5 {
				t.Fatalf("%d samples, want 5", len(st.Samples))
			}
			for _, s := range st.Samples {
				if s.OK || s.ErrorKind != tc.kind {
					t.Errorf("seq %d = %+v, want errorKind %s", s.Seq, s, tc.kind)
				}
			}
			if st.ErrorCounts[tc.kind] != 5 || !strings.Contains(st.ErrorExamples[tc.kind], tc.message) {
				t.Errorf("errorCounts %v, examples %v; want 5 %s containing %q", st.ErrorCounts, st.ErrorExamples, tc.kind, tc.message)
			}
		})
	}
}

func TestLoadBlockedByTheGuardBeforeAnyPacket(t *testing.T) {
	accepted := make(chan struct{}, 10)
	backend := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { accepted <- struct{}{} }))
	defer backend.Close()
	guard, err := parseGuard("10.96.0.0/12")
	if err != nil {
		t.Fatal(err)
	}
	req := loadStartRequest{URL: backend.URL, Rate: 100, DurationMs: 50}
	if err := req.normalize(); err != nil {
		t.Fatal(err)
	}
	run := newLoadRun("load-test", req, guard)
	run.start()
	<-run.done
	st := run.status(0, maxSamplesPerPoll)
	if len(st.Samples) != 5 || st.ErrorCounts[kindBlocked] != 5 || !strings.Contains(st.ErrorExamples[kindBlocked], "ALLOWED_NETWORKS") {
		t.Fatalf("samples %d, errorCounts %v, examples %v; want 5 blocked", len(st.Samples), st.ErrorCounts, st.ErrorExamples)
	}
	if len(accepted) != 0 {
		t.Errorf("the backend got %d requests past the guard", len(accepted))
	}
}

func TestLoadStopEndsTheScheduleAndReportsAchievedRate(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	prober := startProber(t, fakeResolver{})
	id := startLoad(t, prober, map[string]any{"url": backend.URL, "rate": 100, "durationMs": 60000})
	for st := pollLoad(t, prober, id, 0); st.Completed < 10; st = pollLoad(t, prober, id, 0) {
		if st.State != "running" {
			t.Fatalf("state %s before the stop", st.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
	began := time.Now()
	status, out := postURL(t, prober.URL+"/load/"+id+"/stop", "")
	if status != http.StatusOK {
		t.Fatalf("stop = %d %s", status, out)
	}
	var st loadStatus
	mustUnmarshal(t, out, &st)
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("stop took %s", took)
	}
	if st.State != "done" || st.StopReason != "stopped" || st.Completed >= int(st.Planned) || st.Completed != len(st.Samples) {
		t.Fatalf("after stop: state %s/%s completed %d of %d, %d samples", st.State, st.StopReason, st.Completed, st.Planned, len(st.Samples))
	}
	if st.Started > uint64(st.Completed) || st.AchievedRate < 80 || st.AchievedRate > 101 {
		t.Errorf("started %d completed %d achieved %.1f req/s, want about 100", st.Started, st.Completed, st.AchievedRate)
	}
	// A second stop changes nothing.
	if _, again := postURL(t, prober.URL+"/load/"+id+"/stop?since=0", ""); !strings.Contains(string(again), `"stopReason":"stopped"`) {
		t.Errorf("second stop answered %s", again)
	}
}

func TestLoadFlagsBusyWorkers(t *testing.T) {
	prober := startProber(t, fakeResolver{})
	id := startLoad(t, prober, map[string]any{"url": silentListener(t), "rate": 200, "durationMs": 60000, "timeoutMs": 100, "maxWorkers": 1})
	time.Sleep(250 * time.Millisecond)
	status, out := postURL(t, prober.URL+"/load/"+id+"/stop", "")
	if status != http.StatusOK {
		t.Fatalf("stop = %d %s", status, out)
	}
	var st loadStatus
	mustUnmarshal(t, out, &st)
	if st.RateHeld || len(st.RateProblems) != 1 || !strings.Contains(st.RateProblems[0], "all 1 workers were busy") {
		t.Errorf("rateHeld %v problems %q; want the busy-workers problem", st.RateHeld, st.RateProblems)
	}
	if st.Completed > 4 || st.ScheduleLagMs.Max < 100 {
		t.Errorf("completed %d with schedule lag %+v; one worker with 100 ms timeouts cannot keep 200 req/s", st.Completed, st.ScheduleLagMs)
	}
}

func TestAssessRate(t *testing.T) {
	cases := []struct {
		achieved float64
		window   time.Duration
		peak     int64
		want     []string
	}{
		{99.5, 5 * time.Second, 3, nil},
		{98.9, 5 * time.Second, 3, []string{"achieved 98.9 req/s, below 99% of the requested 100 req/s"}},
		{50, 500 * time.Millisecond, 3, nil}, // too short to judge
		{99, 5 * time.Second, 10, []string{"all 10 workers were busy"}},
	}
	for _, tc := range cases {
		got := assessRate(100, tc.achieved, tc.window, tc.peak, 10)
		if len(got) != len(tc.want) {
			t.Errorf("assessRate(%v, %s, peak %d) = %q, want %q", tc.achieved, tc.window, tc.peak, got, tc.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tc.want[i]) {
				t.Errorf("assessRate(%v, %s, peak %d)[%d] = %q, want %q", tc.achieved, tc.window, tc.peak, i, got[i], tc.want[i])
			}
		}
	}
}

func TestLoadPagingWithSinceAndLimit(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	prober := startProber(t, fakeResolver{})
	id := startLoad(t, prober, map[string]any{"url": backend.URL, "rate": 500, "durationMs": 20})
	collectLoad(t, prober, id, 5*time.Second)
	_, out := getURL(t, prober.URL+"/load/"+id+"?since=3&limit=4")
	var st loadStatus
	mustUnmarshal(t, out, &st)
	if len(st.Samples) != 4 || st.Next != 7 || st.Completed != 10 {
		t.Errorf("since=3&limit=4: %d samples, next %d, completed %d; want 4, 7, 10", len(st.Samples), st.Next, st.Completed)
	}
	_, out = getURL(t, prober.URL+"/load/"+id+"?since=99")
	mustUnmarshal(t, out, &st)
	if len(st.Samples) != 0 || st.Next != 10 {
		t.Errorf("since past the end: %d samples, next %d", len(st.Samples), st.Next)
	}
}

func TestLoadValidation(t *testing.T) {
	prober := startProber(t, fakeResolver{})
	cases := []struct {
		body, want string
	}{
		{``, "empty body"},
		{`{"rate":1,"durationMs":1000}`, "url is required"},
		{`{"url":"backend","rate":1,"durationMs":1000}`, "http://host"},
		{`{"url":"http://x/","durationMs":1000}`, "rate must be between 1 and 5000 requests per second, got 0"},
		{`{"url":"http://x/","rate":5001,"durationMs":1000}`, "got 5001"},
		{`{"url":"http://x/","rate":10}`, "durationMs must be between 1 and 600000, got 0"},
		{`{"url":"http://x/","rate":10,"durationMs":600001}`, "got 600001"},
		{`{"url":"http://x/","rate":10,"durationMs":50}`, "plans no request: make the duration at least 100 ms"},
		{`{"url":"http://x/","rate":5000,"durationMs":600000}`, "plans 3000000 requests, more than the 600000"},
		{`{"url":"http://x/","rate":10,"durationMs":1000,"timeoutMs":30001}`, "timeoutMs must be between 1 and 30000"},
		{`{"url":"http://x/","rate":10,"durationMs":1000,"maxWorkers":10001}`, "maxWorkers must be between 1 and 10000"},
		{`{"url":"http://x/","rate":10,"durationMs":1000,"duration":5}`, "unknown field"},
	}
	for _, tc := range cases {
		status, out := postURL(t, prober.URL+"/load/start", tc.body)
		var got map[string]string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Errorf("body %s: response %q is not JSON", tc.body, out)
			continue
		}
		if status != http.StatusBadRequest || !strings.Contains(got["error"], tc.want) {
			t.Errorf("body %s: got %d %q, want 400 containing %q", tc.body, status, got["error"], tc.want)
		}
	}
	for path, want := range map[string]int{
		"/load/start":                http.StatusMethodNotAllowed,
		"/load/load-0000":            http.StatusNotFound,
		"/load/load-0000/stop":       http.StatusNotFound,
		"/load/":                     http.StatusNotFound,
		"/load/start?since=nonsense": http.StatusMethodNotAllowed,
	} {
		if status, _ := getURL(t, prober.URL+path); status != want {
			t.Errorf("GET %s = %d, want %d", path, status, want)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	req := loadStartRequest{URL: "http://x/", Rate: 1000, DurationMs: 1000}
	if err := req.normalize(); err != nil {
		t.Fatal(err)
	}
	// Enough workers for every request to hang for the whole timeout, and a second more.
	if req.TimeoutMs != 2000 || req.MaxWorkers != 3010 {
		t.Errorf("defaults = %+v", req)
	}
	if got := defaultLoadWorkers(5000, 30000); got != maxLoadWorkers {
		t.Errorf("defaultLoadWorkers(5000, 30000) = %d, want the cap %d", got, maxLoadWorkers)
	}
}

func TestLoadRunsAreBoundedPerProber(t *testing.T) {
	prober := startProber(t, fakeResolver{})
	url := silentListener(t)
	var ids []string
	for range maxRunningLoads {
		ids = append(ids, startLoad(t, prober, map[string]any{"url": url, "rate": 20, "durationMs": 60000, "timeoutMs": 50}))
	}
	status, out := postURL(t, prober.URL+"/load/start", `{"url":"`+url+`","rate":1,"durationMs":60000}`)
	if status != http.StatusTooManyRequests || !strings.Contains(string(out), "already running") {
		t.Errorf("a fifth run: %d %s", status, out)
	}
	for _, id := range ids {
		postURL(t, prober.URL+"/load/"+id+"/stop", "")
	}
}

func TestLoadStoppedBetweenSlotsStillHoldsTheRate(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	guard, err := parseGuard(loopbackOnly)
	if err != nil {
		t.Fatal(err)
	}
	req := loadStartRequest{URL: backend.URL, Rate: 10, DurationMs: 60000}
	if err := req.normalize(); err != nil {
		t.Fatal(err)
	}
	run := newLoadRun("load-test", req, guard)
	run.start()
	// Requests go at 100 and 200 ms; the stop comes halfway through the third slot, whose
	// half must not count as time without a request.
	time.Sleep(250 * time.Millisecond)
	run.stop()
	<-run.done
	st := run.status(0, 0)
	if st.Started != 2 || st.AchievedRate != 10 {
		t.Errorf("started %d at %.3f req/s, want 2 at exactly 10", st.Started, st.AchievedRate)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// The kinds no loopback test can produce (a DNS failure needs a resolver) are
// checked at the transport, where vegeta's seq ties them to the result.
func TestLoadTransportKeepsEachErrorKindBySeq(t *testing.T) {
	transport := newLoadTransport(&destinationGuard{}, time.Second)
	errs := map[string]error{
		"1": &url.Error{Op: "Get", URL: "http://web/", Err: &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "web", IsNotFound: true}}},
		"2": fmt.Errorf("dial tcp 10.96.0.9:80: %w", syscall.ECONNREFUSED),
		"3": errors.New("something else"),
	}
	transport.inner = roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return nil, errs[req.Header.Get(vegetaSeqHeader)]
	})
	for seq := range errs {
		req := httptest.NewRequest(http.MethodGet, "http://web/", nil)
		req.Header.Set(vegetaSeqHeader, seq)
		if _, err := transport.RoundTrip(req); err == nil {
			t.Fatalf("seq %s: no error", seq)
		}
	}
	for seq, want := range map[uint64]string{1: kindDNS, 2: kindRefused, 3: kindOther} {
		if got, ok := transport.takeKind(seq); !ok || got != want {
			t.Errorf("seq %d: kind %q (recorded %v), want %q", seq, got, ok, want)
		}
		if _, again := transport.takeKind(seq); again {
			t.Errorf("seq %d: kind still kept after it was taken", seq)
		}
	}
	if busy := transport.inFlight.Load(); busy != 0 {
		t.Errorf("%d requests still counted in flight after their errors", busy)
	}
}

// A 60 s run at 1000 req/s keeps 60k samples: 40 bytes each is 2.4 MB.
func TestLoadSampleStaysCompact(t *testing.T) {
	if size := unsafe.Sizeof(loadSample{}); size > 40 {
		t.Errorf("a sample takes %d bytes, want at most 40", size)
	}
}

// A backend told to stop marks the answers it still gives on new connections; the load keeps the mark per sample.
func TestLoadKeepsTheAfterStopMark(t *testing.T) {
	health := newHealthState(true, nil)
	srv := httptest.NewUnstartedServer(newBackendHandler(testIdentity, health))
	srv.Config.ConnContext = stampAccepted
	srv.Start()
	defer srv.Close()
	prober := startProber(t, fakeResolver{})

	id := startLoad(t, prober, map[string]any{"url": srv.URL, "rate": 100, "durationMs": 200})
	before := collectLoad(t, prober, id, 10*time.Second)
	health.beginShutdown()
	id = startLoad(t, prober, map[string]any{"url": srv.URL, "rate": 100, "durationMs": 200})
	after := collectLoad(t, prober, id, 10*time.Second)

	for _, s := range before.Samples {
		if s.AfterStopMs != nil {
			t.Errorf("seq %d before the stop carries afterStopMs %v", s.Seq, *s.AfterStopMs)
		}
	}
	if len(after.Samples) == 0 {
		t.Fatal("no samples after the stop")
	}
	for _, s := range after.Samples {
		if !s.OK || s.AfterStopMs == nil || *s.AfterStopMs < 0 {
			t.Errorf("seq %d after the stop: ok %v afterStopMs %v, want an answer marked with its time after the stop", s.Seq, s.OK, s.AfterStopMs)
		}
	}
}

// A client behind its schedule at the stop (a loaded machine) still sends what was due by then, late, and ends there;
// a request sent late counts towards the rate by when it was due, one due after the stop does not.
func TestLoadStopCatchesUpWhatWasDueThenEnds(t *testing.T) {
	guard, err := parseGuard(loopbackOnly)
	if err != nil {
		t.Fatal(err)
	}
	req := loadStartRequest{URL: "http://127.0.0.1:1/", Rate: 100, DurationMs: 60000}
	if err := req.normalize(); err != nil {
		t.Fatal(err)
	}
	run := newLoadRun("load-test", req, guard)
	pacer := &loadPacer{run: run, constant: vegeta.ConstantPacer{Freq: 100, Per: time.Second}}
	began := time.Now().Add(-500 * time.Millisecond)
	run.began = began
	if _, stop := pacer.Pace(time.Since(began), 40); stop {
		t.Fatal("the pacer ended before the stop")
	}
	run.stop()                // 50 due by now, 40 handed out: the attack must not be stopped yet
	if !run.attacker.Stop() { // true: this call, not run.stop, stopped the attack
		t.Fatal("stop cut off the 10 requests the client still owed")
	}
	due := run.dueBy(run.pacingEnded)
	if due < 50 || due > 52 {
		t.Fatalf("due by the stop: %d, want about 50", due)
	}
	for hits := uint64(40); hits < due; hits++ {
		if wait, stop := pacer.Pace(time.Since(began), hits); stop || wait != 0 {
			t.Fatalf("request %d of %d due: wait %s stop %v, want it sent at once", hits, due, wait, stop)
		}
	}
	if _, stop := pacer.Pace(time.Since(began), due); !stop {
		t.Error("the pacer went on after sending what was due by the stop")
	}
	end := run.pacingEnded
	snap := loadSnapshot{began: began, interval: run.interval, samples: []loadSample{
		{seq: 0, startNs: began.Add(10 * time.Millisecond).UnixNano()},
		{seq: due - 1, startNs: end.Add(30 * time.Millisecond).UnixNano()}, // due before the stop, sent after it
		{seq: due, startNs: end.Add(time.Millisecond).UnixNano()},          // scheduled after the stop
	}}
	if got := snap.startedBy(end, "stopped"); got != 2 {
		t.Errorf("counted %d requests in the window, want 2", got)
	}
}

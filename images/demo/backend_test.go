package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestBackendAnswerFields(t *testing.T) {
	srv, _ := startBackend(t, testIdentity)
	status, body := getURL(t, srv.URL+"/some/path")
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", status, body)
	}
	var got backendAnswer
	mustUnmarshal(t, body, &got)
	if got.Pod != testIdentity.Pod || got.Namespace != testIdentity.Namespace ||
		got.PodIP != testIdentity.PodIP || got.Node != testIdentity.Node {
		t.Errorf("identity fields = %+v, want %+v", got, testIdentity)
	}
	if got.Path != "/some/path" {
		t.Errorf("path = %q, want /some/path", got.Path)
	}
	if got.ClientIP != "127.0.0.1" {
		t.Errorf("clientIP = %q, want 127.0.0.1", got.ClientIP)
	}
	host, port, err := net.SplitHostPort(got.Client)
	if err != nil || host != "127.0.0.1" || port == "" || port == "0" {
		t.Errorf("client = %q, want 127.0.0.1:<port>", got.Client)
	}
	servedAt, err := time.Parse(time.RFC3339Nano, got.ServedAt)
	if err != nil {
		t.Fatalf("servedAt %q is not RFC3339Nano: %v", got.ServedAt, err)
	}
	if age := time.Since(servedAt); age < 0 || age > time.Minute {
		t.Errorf("servedAt %v is not recent (age %v)", servedAt, age)
	}
	// The raw body must use the documented key names, not Go field names.
	for _, key := range []string{`"pod"`, `"namespace"`, `"podIP"`, `"node"`, `"client"`, `"clientIP"`, `"path"`, `"servedAt"`} {
		if !strings.Contains(string(body), key) {
			t.Errorf("body %s lacks key %s", body, key)
		}
	}
}

func TestBackendReadinessAndLivenessToggles(t *testing.T) {
	srv, _ := startBackend(t, testIdentity)
	expect := func(path string, wantStatus int, wantBody string) {
		t.Helper()
		status, body := getURL(t, srv.URL+path)
		if status != wantStatus || string(body) != wantBody {
			t.Errorf("GET %s = %d %q, want %d %q", path, status, body, wantStatus, wantBody)
		}
	}
	expect("/readyz", 200, "ready")
	expect("/healthz", 200, "ok")

	status, body := postURL(t, srv.URL+"/admin/ready?value=false", "")
	if status != 200 {
		t.Fatalf("POST /admin/ready?value=false = %d %s", status, body)
	}
	var state healthSnapshot
	mustUnmarshal(t, body, &state)
	if state.Ready || !state.Live {
		t.Errorf("state after ready=false = %+v", state)
	}
	expect("/readyz", 503, "not ready")
	expect("/healthz", 200, "ok")
	// Unready pods still serve traffic sent to them directly.
	if status, _ := getURL(t, srv.URL+"/"); status != 200 {
		t.Errorf("GET / while unready = %d, want 200", status)
	}

	postURL(t, srv.URL+"/admin/live?value=false", "")
	expect("/healthz", 503, "not live")
	postURL(t, srv.URL+"/admin/ready?value=true", "")
	status, body = postURL(t, srv.URL+"/admin/live?value=true", "")
	mustUnmarshal(t, body, &state)
	if status != 200 || !state.Ready || !state.Live {
		t.Errorf("after re-enabling: %d %+v", status, state)
	}
	expect("/readyz", 200, "ready")
	expect("/healthz", 200, "ok")
}

func TestBackendToggleValidation(t *testing.T) {
	srv, health := startBackend(t, testIdentity)
	for _, path := range []string{"/admin/ready?value=maybe", "/admin/ready", "/admin/live?value=1"} {
		status, body := postURL(t, srv.URL+path, "")
		if status != http.StatusBadRequest || !strings.Contains(string(body), "value must be") {
			t.Errorf("POST %s = %d %s, want 400 with explanation", path, status, body)
		}
	}
	if status, _ := getURL(t, srv.URL+"/admin/ready?value=false"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /admin/ready = %d, want 405", status)
	}
	if !health.isReady() || !health.live.Load() {
		t.Errorf("rejected toggles changed state: %+v", health.snapshot())
	}
}

func TestBackendStartsUnready(t *testing.T) {
	health := newHealthState(false, discardLogger())
	rec := httptest.NewRecorder()
	newBackendHandler(testIdentity, health).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with READY_AT_START=false = %d, want 503", rec.Code)
	}
}

func TestShutdownFailsReadinessBeforeExit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	base := "http://" + ln.Addr().String()
	health := newHealthState(true, discardLogger())
	handler := newBackendHandler(testIdentity, health)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const delay = time.Second
	done := make(chan error, 1)
	go func() { done <- runServers(ctx, discardLogger(), handler, []net.Listener{ln}, health, delay) }()

	if status, _ := getURL(t, base+"/readyz"); status != 200 {
		t.Fatalf("/readyz before shutdown = %d, want 200", status)
	}
	var before backendAnswer
	_, body := getURL(t, base+"/")
	mustUnmarshal(t, body, &before)
	if before.AfterStopMs != nil {
		t.Errorf("an answer before SIGTERM carries afterStopMs %v, want none", *before.AfterStopMs)
	}
	cancel() // what SIGTERM does via signal.NotifyContext
	shutdownSeen := false
	for range 200 {
		if health.shuttingDown.Load() {
			shutdownSeen = true
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !shutdownSeen {
		t.Fatal("shutdown did not begin within 1s of cancellation")
	}
	// During the delay the server still answers, but readiness fails.
	if status, body := getURL(t, base+"/readyz"); status != 503 || string(body) != "not ready" {
		t.Errorf("/readyz during shutdown delay = %d %q, want 503 \"not ready\"", status, body)
	}
	if status, _ := getURL(t, base+"/"); status != 200 {
		t.Errorf("GET / during shutdown delay = %d, want 200", status)
	}
	// A connection accepted after SIGTERM is new work taken by a pod told to stop: the answer says so. (getURL's
	// kept-alive connection was accepted before, so a fresh one is needed.)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := fresh.Get(base + "/")
	if err != nil {
		t.Fatalf("GET / on a new connection during the shutdown delay: %v", err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var during backendAnswer
	mustUnmarshal(t, body, &during)
	if during.AfterStopMs == nil || *during.AfterStopMs < 0 || *during.AfterStopMs > float64(delay/time.Millisecond) {
		t.Errorf("an answer during the shutdown delay carries afterStopMs %v, want 0..%v ms", during.AfterStopMs, delay)
	}
	// Re-enabling readiness via admin must not override shutdown.
	postURL(t, base+"/admin/ready?value=true", "")
	if status, _ := getURL(t, base+"/readyz"); status != 503 {
		t.Errorf("/readyz after admin ready=true during shutdown = %d, want 503", status)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runServers returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runServers did not return within 5s")
	}
	if _, err := http.Get(base + "/"); err == nil {
		t.Error("server still accepting after runServers returned")
	}
}

func TestExtraListenersServeSameHandler(t *testing.T) {
	listeners, err := listenAll([]string{"127.0.0.1:0", "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("listenAll: %v", err)
	}
	health := newHealthState(true, discardLogger())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runServers(ctx, discardLogger(), newBackendHandler(testIdentity, health), listeners, health, 0)
	}()
	for _, ln := range listeners {
		status, body := getURL(t, "http://"+ln.Addr().String()+"/x")
		var got backendAnswer
		mustUnmarshal(t, body, &got)
		if status != 200 || got.Pod != testIdentity.Pod || got.Path != "/x" {
			t.Errorf("listener %s: %d %s", ln.Addr(), status, body)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runServers: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runServers did not return within 5s")
	}
}

func TestSplitList(t *testing.T) {
	got := splitList(" :9090, ,:9091,")
	if len(got) != 2 || got[0] != ":9090" || got[1] != ":9091" {
		t.Errorf("splitList = %q", got)
	}
	if got := splitList(""); len(got) != 0 {
		t.Errorf("splitList(\"\") = %q, want empty", got)
	}
}

// The accept time decides, not the answer's: a request already on its way when SIGTERM came is drained, not new work.
func TestAfterStopCountsFromTheAccept(t *testing.T) {
	health := newHealthState(true, discardLogger())
	acceptedBefore := time.Now()
	time.Sleep(2 * time.Millisecond)
	health.beginShutdown()
	if _, stopping := health.afterStop(acceptedBefore); stopping {
		t.Error("a connection accepted before the stop counts as accepted after it")
	}
	after, stopping := health.afterStop(time.Now().Add(5 * time.Millisecond))
	if !stopping || after < 5*time.Millisecond {
		t.Errorf("a connection accepted 5 ms after the stop: after %v, stopping %v", after, stopping)
	}
	first := health.stopAtNs.Load()
	health.beginShutdown() // a second signal does not move the stop
	if health.stopAtNs.Load() != first {
		t.Error("a second beginShutdown moved the moment of the stop")
	}
}

func TestListenAddressBracketsAnUnbracketedIPv6Host(t *testing.T) {
	for in, want := range map[string]string{
		"fc00:6b71:6475:616c::4:29531": "[fc00:6b71:6475:616c::4]:29531",
		"[fc00::4]:29531":              "[fc00::4]:29531",
		"172.20.0.4:29531":             "172.20.0.4:29531",
		":8080":                        ":8080",
		"fc00::4":                      "fc00::4", // no port: left for Listen to refuse
	} {
		if got := listenAddress(in); got != want {
			t.Errorf("listenAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

var frontendID = identity{Pod: "frontend-1", Namespace: "kq", PodIP: "10.244.2.9", Node: "node-b"}

func startFrontend(t *testing.T, backendURL string, timeout time.Duration) *httptest.Server {
	t.Helper()
	health := newHealthState(true, discardLogger())
	srv := httptest.NewServer(newFrontendHandler(frontendID, health, backendURL, timeout))
	t.Cleanup(srv.Close)
	return srv
}

func TestFrontendRelaysBackendJSONVerbatim(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	frontend := startFrontend(t, backend.URL+"/from-frontend", 5*time.Second)

	status, body := getURL(t, frontend.URL+"/")
	if status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", status, body)
	}
	var got struct {
		Frontend frontendIdentity           `json:"frontend"`
		Backend  map[string]json.RawMessage `json:"backend"`
	}
	mustUnmarshal(t, body, &got)
	if got.Frontend != (frontendIdentity{Pod: "frontend-1", PodIP: "10.244.2.9", Node: "node-b"}) {
		t.Errorf("frontend = %+v", got.Frontend)
	}
	var answer backendAnswer
	raw, _ := json.Marshal(got.Backend)
	mustUnmarshal(t, raw, &answer)
	if answer.Pod != testIdentity.Pod || answer.Path != "/from-frontend" || answer.ClientIP != "127.0.0.1" {
		t.Errorf("relayed backend answer = %+v", answer)
	}
	if len(got.Backend) != 8 {
		t.Errorf("backend object has %d keys, want the 8 backend keys: %s", len(got.Backend), body)
	}
}

func TestFrontendUsesNewConnectionPerRequest(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	frontend := startFrontend(t, backend.URL, 5*time.Second)
	clients := map[string]bool{}
	for range 3 {
		_, body := getURL(t, frontend.URL+"/")
		var got struct {
			Backend backendAnswer `json:"backend"`
		}
		mustUnmarshal(t, body, &got)
		clients[got.Backend.Client] = true
	}
	if len(clients) != 3 {
		t.Errorf("backend saw %d distinct client ports over 3 requests, want 3 (no keep-alive)", len(clients))
	}
}

func TestFrontendClassifiesRefusedBackend(t *testing.T) {
	frontend := startFrontend(t, closedPortURL(t), 5*time.Second)
	status, body := getURL(t, frontend.URL+"/")
	if status != http.StatusBadGateway {
		t.Fatalf("status = %d, want 502; body %s", status, body)
	}
	var got frontendError
	mustUnmarshal(t, body, &got)
	if got.ErrorKind != kindRefused || got.Error == "" || got.Frontend.Pod != "frontend-1" {
		t.Errorf("error answer = %+v, want errorKind refused with message and frontend identity", got)
	}
}

func TestFrontendReportsBackendHTTPStatus(t *testing.T) {
	backend, health := startBackend(t, testIdentity)
	health.ready.Store(false)
	frontend := startFrontend(t, backend.URL+"/readyz", 5*time.Second)
	status, body := getURL(t, frontend.URL+"/")
	var got frontendError
	mustUnmarshal(t, body, &got)
	if status != http.StatusBadGateway || got.ErrorKind != kindHTTP || got.Status != 503 {
		t.Errorf("got %d %+v, want 502 errorKind http status 503", status, got)
	}
}

func TestFrontendTimeout(t *testing.T) {
	frontend := startFrontend(t, silentListener(t), 100*time.Millisecond)
	status, body := getURL(t, frontend.URL+"/")
	var got frontendError
	mustUnmarshal(t, body, &got)
	if status != http.StatusBadGateway || got.ErrorKind != kindTimeout {
		t.Errorf("got %d %+v, want 502 errorKind timeout", status, got)
	}
}

func TestValidateBackendURL(t *testing.T) {
	for _, bad := range []string{"", "backend", "ftp://x", "http://"} {
		if err := validateBackendURL(bad); err == nil {
			t.Errorf("validateBackendURL(%q) = nil, want error", bad)
		}
	}
	if err := validateBackendURL("http://backend.ns.svc.cluster.local:80"); err != nil {
		t.Errorf("valid URL rejected: %v", err)
	}
}

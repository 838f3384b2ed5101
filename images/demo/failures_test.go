package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestBackendAnswersAShareWithTheInjectedStatus(t *testing.T) {
	srv, _ := startBackend(t, testIdentity)
	if status, body := postURL(t, srv.URL+"/admin/fail?percent=100&status=503", ""); status != 200 {
		t.Fatalf("POST /admin/fail = %d %s", status, body)
	}
	status, body := getURL(t, srv.URL+"/")
	var answer backendAnswer
	mustUnmarshal(t, body, &answer)
	if status != http.StatusServiceUnavailable || answer.Pod != testIdentity.Pod {
		t.Errorf("GET / while failing = %d %+v, want 503 with the pod's identity", status, answer)
	}
	// Health routes never fail: the kubelet must keep seeing the pod as it is.
	if status, _ := getURL(t, srv.URL+"/readyz"); status != 200 {
		t.Errorf("GET /readyz while failing = %d, want 200", status)
	}

	postURL(t, srv.URL+"/admin/fail?percent=30&status=500", "")
	failed := 0
	for range 400 {
		if status, _ := getURL(t, srv.URL+"/"); status == 500 {
			failed++
		} else if status != 200 {
			t.Fatalf("GET / = %d, want 200 or 500", status)
		}
	}
	if failed < 80 || failed > 160 {
		t.Errorf("%d of 400 failed at 30%%, want about 120", failed)
	}

	postURL(t, srv.URL+"/admin/fail?percent=0", "")
	if status, _ := getURL(t, srv.URL+"/"); status != 200 {
		t.Errorf("GET / after clearing = %d, want 200", status)
	}
}

func TestBackendFailureValidation(t *testing.T) {
	srv, _ := startBackend(t, testIdentity)
	for _, path := range []string{"/admin/fail?percent=101", "/admin/fail", "/admin/fail?percent=5&status=200"} {
		status, body := postURL(t, srv.URL+path, "")
		if status != http.StatusBadRequest || !strings.Contains(string(body), "must be") {
			t.Errorf("POST %s = %d %s, want 400 with explanation", path, status, body)
		}
	}
	if status, _ := getURL(t, srv.URL+"/admin/fail?percent=5"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /admin/fail = %d, want 405", status)
	}
	if status, _ := getURL(t, srv.URL+"/"); status != 200 {
		t.Errorf("rejected settings changed the answers: %d", status)
	}
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLatencyProxyConfigIsChecked(t *testing.T) {
	env := map[string]string{"UPSTREAM": "nohostport", "LATENCY_MS": "100"}
	if _, err := latencyProxyConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "UPSTREAM must be host:port") {
		t.Fatalf("want an UPSTREAM error, got %v", err)
	}
	env = map[string]string{"UPSTREAM": "127.0.0.1:1", "LATENCY_MS": "0"}
	if _, err := latencyProxyConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "LATENCY_MS must be") {
		t.Fatalf("want a LATENCY_MS error, got %v", err)
	}
}

func TestLatencyProxyDelaysEveryAnswer(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "pong")
	}))
	defer backend.Close()
	config := latencyProxyConfig{listen: "127.0.0.1:18474", upstream: strings.TrimPrefix(backend.URL, "http://"), latencyMs: 150}
	server, err := startLatencyProxy(config, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Collection.Clear() }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for i := 0; i < 3; i++ {
		started := time.Now()
		response, err := client.Get("http://" + config.listen + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(response.Body)
		_ = response.Body.Close()
		took := time.Since(started)
		if string(body) != "pong" || took < 150*time.Millisecond || took > 2*time.Second {
			t.Fatalf("request %d: body %q after %v, want pong after at least 150ms", i, body, took)
		}
	}
}

func TestLatencyProxyTakesOtherToxics(t *testing.T) {
	env := map[string]string{"UPSTREAM": "127.0.0.1:1", "TOXICS": `[{"type":"reset_peer","stream":"upstream","attributes":{"timeout":0}}]`}
	config, err := latencyProxyConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || config.latencyMs != 0 || len(config.toxics) != 1 {
		t.Fatalf("want one toxic and no latency, got %+v, %v", config, err)
	}
	env["TOXICS"] = `{"type":"reset_peer"}`
	if _, err := latencyProxyConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "TOXICS must be") {
		t.Fatalf("want a TOXICS error, got %v", err)
	}
}

func TestLatencyProxyResetsConnectionsWithAResetPeerToxic(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "pong")
	}))
	defer backend.Close()
	config := latencyProxyConfig{
		listen:   "127.0.0.1:18475",
		upstream: strings.TrimPrefix(backend.URL, "http://"),
		toxics:   []json.RawMessage{json.RawMessage(`{"name":"reset","type":"reset_peer","stream":"upstream","attributes":{"timeout":0}}`)},
	}
	server, err := startLatencyProxy(config, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Collection.Clear() }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for i := 0; i < 3; i++ {
		response, err := client.Get("http://" + config.listen + "/")
		if err == nil {
			_ = response.Body.Close()
			t.Fatalf("request %d: answered %s, want the connection reset", i, response.Status)
		}
		if kind := classifyTransportError(err); kind != kindReset {
			t.Fatalf("request %d: failed as %q (%v), want %q", i, kind, err, kindReset)
		}
	}
}

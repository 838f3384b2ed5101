package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// freeUDPAddr returns a loopback UDP address where nothing listens.
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := conn.LocalAddr().String()
	_ = conn.Close()
	return addr
}

func TestUDPBackendAnswersWithIdentity(t *testing.T) {
	addr := freeUDPAddr(t)
	if err := serveUDP(addr, testIdentity, func(string, ...any) {}); err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse("udp://" + addr)
	res := probeRawOnce(context.Background(), probeGuard(""), target, 0, 2*time.Second)
	if !res.OK || res.Pod != testIdentity.Pod || res.PodIP != testIdentity.PodIP || res.ClientIP != "127.0.0.1" || res.LocalIP != "127.0.0.1" {
		t.Fatalf("udp probe = %+v, want ok from %s with client 127.0.0.1", res, testIdentity.Pod)
	}
}

func TestUDPProbeOfClosedPortFails(t *testing.T) {
	target, _ := url.Parse("udp://" + freeUDPAddr(t))
	res := probeRawOnce(context.Background(), probeGuard(""), target, 0, time.Second)
	if res.OK || (res.ErrorKind != kindRefused && res.ErrorKind != kindTimeout) {
		t.Fatalf("udp probe of a closed port = %+v, want refused or timeout", res)
	}
}

func TestTCPProbeConnectsOrIsRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	open, _ := url.Parse("tcp://" + ln.Addr().String())
	if res := probeRawOnce(context.Background(), probeGuard(""), open, 0, time.Second); !res.OK {
		t.Fatalf("tcp probe of a listening port = %+v, want ok", res)
	}
	closed, _ := url.Parse(strings.Replace(closedPortURL(t), "http://", "tcp://", 1))
	closed.Path = ""
	if res := probeRawOnce(context.Background(), probeGuard(""), closed, 0, time.Second); res.OK || res.ErrorKind != kindRefused {
		t.Fatalf("tcp probe of a closed port = %+v, want refused", res)
	}
}

func TestRawTargetsMustNamePort(t *testing.T) {
	for _, bad := range []string{"udp://web", "tcp://web/path", "ftp://web:21"} {
		req := httpProbeRequest{URL: bad, Count: 1}
		if err := req.normalize(); err == nil {
			t.Errorf("normalize(%q) = nil, want an error", bad)
		}
	}
	req := httpProbeRequest{URL: "udp://web:8080", Count: 1}
	if err := req.normalize(); err != nil {
		t.Errorf("normalize(udp://web:8080) = %v", err)
	}
}

func TestRequestNetworksNeverWidenTheEnvironment(t *testing.T) {
	t.Setenv("ALLOWED_NETWORKS", "127.0.0.0/8")
	if probeGuard("0.0.0.0/0").allows(net.ParseIP("8.8.8.8")) {
		t.Fatal("a request widened ALLOWED_NETWORKS from the environment")
	}
	t.Setenv("ALLOWED_NETWORKS", "")
	if !probeGuard("10.0.0.0/8").allows(net.ParseIP("10.1.2.3")) || probeGuard("10.0.0.0/8").allows(net.ParseIP("8.8.8.8")) {
		t.Fatal("without ALLOWED_NETWORKS the request's networks should apply, and only they")
	}
}

func TestBackendServesProbes(t *testing.T) {
	srv, _ := startBackend(t, testIdentity)
	status, body := postURL(t, srv.URL+"/probe/http", `{"url":"`+srv.URL+`/x","count":2}`)
	if status != http.StatusOK || !strings.Contains(string(body), `"pod":"`+testIdentity.Pod+`"`) {
		t.Fatalf("POST /probe/http on a backend = %d %s, want both answers from %s", status, body, testIdentity.Pod)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestClassifyTransportErrorTable(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, kindRefused},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, kindReset},
		{"eof", fmt.Errorf("wrapped: %w", io.EOF), kindReset},
		{"unexpected eof", io.ErrUnexpectedEOF, kindReset},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), kindTimeout},
		{"io timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, kindTimeout},
		{"no such host", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "svc", IsNotFound: true}}, kindDNS},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "svc", IsTimeout: true}, kindDNS},
		{"other", errors.New("tls: bad certificate"), kindOther},
		{"unreachable", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}, kindOther},
	}
	for _, tc := range cases {
		if got := classifyTransportError(tc.err); got != tc.want {
			t.Errorf("%s: classifyTransportError(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}

// The table above checks the mapping; these check that real client errors
// for each failure mode really carry what the mapping looks for.
func TestClassifyRealClientErrors(t *testing.T) {
	client := newProbeClient()
	get := func(url string, timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	cases := []struct {
		name string
		url  string
		want string
	}{
		{"closed port", closedPortURL(t), kindRefused},
		{"silent server", silentListener(t), kindTimeout},
		{"hang-up without answer", hangupListener(t, false), kindReset},
		{"RST after request", hangupListener(t, true), kindReset},
	}
	for _, tc := range cases {
		err := get(tc.url, 300*time.Millisecond)
		if got := classifyTransportError(err); got != tc.want {
			t.Errorf("%s: error %v classified %q, want %q", tc.name, err, got, tc.want)
		}
	}
}

// A resolver that never answers: the request's deadline passes during the lookup. The client then reports only
// "context deadline exceeded" (the dial that would carry the *net.DNSError is detached from the request), which
// classifyTransportError alone calls a timeout; the watched lookup says dns.
func TestLookupTimeoutIsDNSNotConnectTimeout(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { silent.Close() })
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", silent.LocalAddr().String())
	}}
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{Resolver: resolver}).DialContext,
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	ctx, lookup := watchLookup(ctx)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://web.example.invalid/", nil)
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a request whose lookup never ends succeeded")
	}
	if got := lookup.classify(err); got != kindDNS {
		t.Errorf("lookup timeout classified %q (error %v), want %q", got, err, kindDNS)
	}
}

func TestLookupWatchClassify(t *testing.T) {
	timeout := fmt.Errorf("get: %w", context.DeadlineExceeded)
	cases := []struct {
		name                      string
		started, finished, failed bool
		want                      string
	}{
		{"no lookup (an IP literal)", false, false, false, kindTimeout},
		{"lookup still running at the deadline", true, false, false, kindDNS},
		{"lookup failed", true, true, true, kindDNS},
		{"lookup done, connect timed out", true, true, false, kindTimeout},
	}
	for _, tc := range cases {
		w := &lookupWatch{}
		w.started.Store(tc.started)
		w.finished.Store(tc.finished)
		w.failed.Store(tc.failed)
		if got := w.classify(timeout); got != tc.want {
			t.Errorf("%s: classified %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := (&lookupWatch{}).classify(nil); got != "" {
		t.Errorf("no error classified %q, want none", got)
	}
}

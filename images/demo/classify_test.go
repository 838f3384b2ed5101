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

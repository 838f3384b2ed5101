package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http/httptrace"
	"os"
	"sync/atomic"
	"syscall"
)

// Error kinds reported to the harness. They are deliberately coarse: each one
// maps to a different Service failure mode (no endpoints → refused,
// black-holed traffic → timeout, missing Service → dns, endpoint dying
// mid-request → reset).
const (
	kindRefused  = "refused"
	kindTimeout  = "timeout"
	kindDNS      = "dns"
	kindReset    = "reset"
	kindHTTP     = "http"
	kindOther    = "other"
	kindNXDomain = "nxdomain"
)

// classifyTransportError maps an HTTP client error to an error kind.
// Order matters: a DNS failure is reported as dns even when it was a lookup
// timeout, because no TCP connection to the Service was ever attempted.
func classifyTransportError(err error) string {
	if err == nil {
		return ""
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errBlocked):
		return kindBlocked
	case errors.As(err, &dnsErr):
		return kindDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return kindRefused
	case isTimeout(err):
		return kindTimeout
	case errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF):
		return kindReset
	}
	return kindOther
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, syscall.ETIMEDOUT) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// classifyDNSError maps a resolver error to nxdomain, timeout or other.
func classifyDNSError(err error) string {
	if err == nil {
		return ""
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return kindNXDomain
		case dnsErr.IsTimeout:
			return kindTimeout
		}
	}
	if isTimeout(err) {
		return kindTimeout
	}
	return kindOther
}

// lookupWatch follows one HTTP request's name lookup. When a request's
// deadline passes while the lookup is still running, the client returns only
// "context deadline exceeded": the *net.DNSError comes later, if ever, from a
// dial the transport has already given up on. Error values alone then make a
// DNS outage look like a connect timeout (802 of 1002 lookups failed so during
// a CoreDNS outage), so the lookup itself is watched.
type lookupWatch struct {
	started, finished, failed atomic.Bool
}

// watchLookup returns ctx with a trace that follows the request's lookup
// (httptrace's DNS hooks, which the resolver calls; none for an IP literal).
func watchLookup(ctx context.Context) (context.Context, *lookupWatch) {
	w := &lookupWatch{}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { w.started.Store(true) },
		DNSDone: func(info httptrace.DNSDoneInfo) {
			w.failed.Store(info.Err != nil)
			w.finished.Store(true)
		},
	}), w
}

// classify is classifyTransportError, except that a request whose lookup
// started and did not succeed failed for DNS, whatever error ended it: no
// connection to the Service was ever attempted.
func (w *lookupWatch) classify(err error) string {
	if err == nil {
		return ""
	}
	if w.started.Load() && (!w.finished.Load() || w.failed.Load()) {
		return kindDNS
	}
	return classifyTransportError(err)
}

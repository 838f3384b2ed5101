package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
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

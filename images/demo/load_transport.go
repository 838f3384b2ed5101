package main

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// vegetaSeqHeader is the header vegeta sets on every request it sends; it is
// how the transport ties an error it saw to the result vegeta reports later.
const vegetaSeqHeader = "X-Vegeta-Seq"

// loadTransport is the round tripper under vegeta's attacker. vegeta reduces
// every failure to a string (Result.Error), which loses the error chain that
// classifyTransportError needs, so the transport classifies each error itself
// while the chain is still intact and keeps the kind by vegeta's sequence
// number. It also enforces the per-request timeout (dial, headers and body)
// and counts requests in flight, which is the number of vegeta workers busy.
type loadTransport struct {
	inner   http.RoundTripper
	timeout time.Duration

	inFlight     atomic.Int64
	peakInFlight atomic.Int64

	mu    sync.Mutex
	kinds map[uint64]string
}

// newLoadTransport dials through the destination guard with keep-alives off:
// kube-proxy balances per connection, so every request needs its own.
func newLoadTransport(guard *destinationGuard, timeout time.Duration) *loadTransport {
	return &loadTransport{
		inner: &http.Transport{
			DisableKeepAlives:  true,
			Proxy:              nil,
			DisableCompression: true,
			DialContext:        guard.dialer().DialContext,
			// The image has no CA bundle and the load measures Service
			// reachability, not certificates.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		},
		timeout: timeout,
		kinds:   map[uint64]string{},
	}
}

func (t *loadTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	seq, hasSeq := parseSeq(req.Header.Get(vegetaSeqHeader))

	busy := t.inFlight.Add(1)
	for peak := t.peakInFlight.Load(); busy > peak && !t.peakInFlight.CompareAndSwap(peak, busy); {
		peak = t.peakInFlight.Load()
	}

	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	ctx, lookup := watchLookup(ctx)
	resp, err := t.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		t.inFlight.Add(-1)
		if hasSeq {
			t.record(seq, lookup.classify(err))
		}
		return nil, err
	}
	resp.Body = &classifyingBody{ReadCloser: resp.Body, transport: t, seq: seq, hasSeq: hasSeq, cancel: cancel}
	return resp, nil
}

func (t *loadTransport) record(seq uint64, kind string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, seen := t.kinds[seq]; !seen {
		t.kinds[seq] = kind
	}
}

// takeKind returns and forgets the kind recorded for seq, so the map only
// ever holds errors whose results have not been collected yet.
func (t *loadTransport) takeKind(seq uint64) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kind, ok := t.kinds[seq]
	delete(t.kinds, seq)
	return kind, ok
}

func parseSeq(header string) (uint64, bool) {
	seq, err := strconv.ParseUint(header, 10, 64)
	return seq, err == nil
}

// classifyingBody records the kind of an error met while reading the body (a
// reset mid-answer, the timeout expiring) and releases the request's timeout
// and in-flight slot when vegeta closes it.
type classifyingBody struct {
	io.ReadCloser
	transport *loadTransport
	seq       uint64
	hasSeq    bool
	cancel    context.CancelFunc
	closed    bool
}

func (b *classifyingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.hasSeq {
		b.transport.record(b.seq, classifyTransportError(err))
	}
	return n, err
}

func (b *classifyingBody) Close() error {
	err := b.ReadCloser.Close()
	if !b.closed {
		b.closed = true
		b.cancel()
		b.transport.inFlight.Add(-1)
	}
	return err
}

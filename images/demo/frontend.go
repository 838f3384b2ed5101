package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// maxBodyRead caps how much of an upstream answer is read; backend answers
// are a few hundred bytes, so this only guards against a misdirected URL.
const maxBodyRead = 64 << 10

type frontendIdentity struct {
	Pod   string `json:"pod"`
	PodIP string `json:"podIP"`
	Node  string `json:"node"`
}

type frontendAnswer struct {
	Frontend frontendIdentity `json:"frontend"`
	Backend  json.RawMessage  `json:"backend"`
}

type frontendError struct {
	Frontend  frontendIdentity `json:"frontend"`
	Error     string           `json:"error"`
	ErrorKind string           `json:"errorKind"`
	Status    int              `json:"status,omitempty"`
}

type frontendHandler struct {
	self       frontendIdentity
	health     *healthState
	backendURL string
	timeout    time.Duration
	client     *http.Client
}

func newFrontendHandler(id identity, health *healthState, backendURL string, timeout time.Duration) *frontendHandler {
	return &frontendHandler{
		self:       frontendIdentity{Pod: id.Pod, PodIP: id.PodIP, Node: id.Node},
		health:     health,
		backendURL: backendURL,
		timeout:    timeout,
		client: &http.Client{
			// A fresh connection per request makes kube-proxy pick a backend
			// every time; a pooled connection would pin one endpoint.
			Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil, DialContext: frontendGuard().dialer().DialContext},
			// The Service answers directly; following redirects would hide
			// what it really said.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

func (f *frontendHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.health.serveHealthRoutes(w, r, true) {
		return
	}
	ctx, lookup := watchLookup(r.Context())
	body, status, err := f.callBackend(ctx)
	if err != nil {
		kind := lookup.classify(err)
		if status != 0 {
			kind = kindHTTP
		}
		writeJSON(w, http.StatusBadGateway, frontendError{
			Frontend: f.self, Error: err.Error(), ErrorKind: kind, Status: status,
		})
		return
	}
	writeJSON(w, http.StatusOK, frontendAnswer{Frontend: f.self, Backend: body})
}

// callBackend returns the backend's JSON body. A non-zero status together
// with an error means the transport worked but the backend said no.
func (f *frontendHandler) callBackend(ctx context.Context) (json.RawMessage, int, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.backendURL, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("building request for %s: %w", f.backendURL, err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyRead))
	if err != nil {
		return nil, 0, fmt.Errorf("reading backend response from %s: %w", f.backendURL, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, resp.StatusCode, fmt.Errorf("backend %s returned HTTP %d", f.backendURL, resp.StatusCode)
	}
	if !json.Valid(body) {
		return nil, 0, errors.New("backend " + f.backendURL + " returned a body that is not valid JSON (or exceeds 64 KiB)")
	}
	return body, resp.StatusCode, nil
}

func validateBackendURL(raw string) error {
	if raw == "" {
		return errors.New("BACKEND_URL (or --backend-url) is required, e.g. http://backend.ns.svc.cluster.local:80")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("backend URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("backend URL %q: expected http://host[:port][/path]", raw)
	}
	return nil
}

func runFrontendRole(args []string) int {
	logger := newLogger("frontend")
	fs := flag.NewFlagSet("frontend", flag.ContinueOnError)
	listen := fs.String("listen", envOr("LISTEN", ":8080"), "listen address (env LISTEN)")
	backendURL := fs.String("backend-url", envOr("BACKEND_URL", ""), "backend URL to call per request (env BACKEND_URL, required)")
	timeoutDefault, err := envDuration("BACKEND_TIMEOUT", 5*time.Second)
	if err != nil {
		fmt.Fprintln(fs.Output(), "demo frontend:", err)
		return 2
	}
	timeout := fs.Duration("backend-timeout", timeoutDefault, "per-request backend timeout (env BACKEND_TIMEOUT)")
	delayDefault, err := envDuration("SHUTDOWN_DELAY", 0)
	if err != nil {
		fmt.Fprintln(fs.Output(), "demo frontend:", err)
		return 2
	}
	delay := fs.Duration("shutdown-delay", delayDefault, "how long to keep serving with failing readiness after SIGTERM (env SHUTDOWN_DELAY)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := validateBackendURL(*backendURL); err != nil {
		fmt.Fprintln(fs.Output(), "demo frontend:", err)
		return 2
	}
	if *timeout <= 0 {
		fmt.Fprintln(fs.Output(), "demo frontend: backend timeout must be positive")
		return 2
	}

	health := newHealthState(true, logger)
	id := identityFromEnv()
	logger.Info("configured", "backendURL", *backendURL, "backendTimeout", timeout.String())
	handler := newFrontendHandler(id, health, *backendURL, *timeout)
	return serveRole(logger, id, handler, health, []string{*listen}, *delay)
}

// frontendGuard is the destination guard of the frontend's backend calls (see guard.go).
func frontendGuard() *destinationGuard {
	guard, err := guardFromEnv()
	if err != nil {
		return &destinationGuard{source: err.Error()}
	}
	return guard
}

package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// healthState holds the probe-visible state of a server. Atomics keep the
// hot /readyz path lock-free while the admin endpoints and the signal handler
// flip values from other goroutines.
type healthState struct {
	ready        atomic.Bool
	live         atomic.Bool
	shuttingDown atomic.Bool
	// stopAtNs is when the server was told to stop (Unix ns; 0: not yet). Answers to connections accepted after it
	// carry how long after, so a harness can tell "answered by a pod that had already been told to stop" from the
	// pod's own clock instead of comparing clocks across machines.
	stopAtNs atomic.Int64
	logger   *slog.Logger
}

func newHealthState(readyAtStart bool, logger *slog.Logger) *healthState {
	h := &healthState{logger: logger}
	h.ready.Store(readyAtStart)
	h.live.Store(true)
	return h
}

// isReady is what the kubelet sees: shutting down always wins over the admin
// toggle so that endpoints are removed before the server stops accepting.
func (h *healthState) isReady() bool {
	return h.ready.Load() && !h.shuttingDown.Load()
}

func (h *healthState) beginShutdown() {
	h.stopAtNs.CompareAndSwap(0, time.Now().UnixNano())
	h.shuttingDown.Store(true)
}

// afterStop says how long after the server was told to stop `at` was, and false when `at` came before (or the
// server was never told to stop).
func (h *healthState) afterStop(at time.Time) (time.Duration, bool) {
	stopAt := h.stopAtNs.Load()
	if stopAt == 0 || at.UnixNano() < stopAt {
		return 0, false
	}
	return time.Duration(at.UnixNano() - stopAt), true
}

type healthSnapshot struct {
	Ready        bool `json:"ready"`
	Live         bool `json:"live"`
	ShuttingDown bool `json:"shuttingDown"`
}

func (h *healthState) snapshot() healthSnapshot {
	return healthSnapshot{
		Ready:        h.ready.Load(),
		Live:         h.live.Load(),
		ShuttingDown: h.shuttingDown.Load(),
	}
}

// serveHealthRoutes answers the health and (optionally) admin paths and
// reports whether it handled the request, so each role can fall through to
// its own catch-all handler.
func (h *healthState) serveHealthRoutes(w http.ResponseWriter, r *http.Request, withAdmin bool) bool {
	switch r.URL.Path {
	case "/healthz":
		if h.live.Load() {
			writeText(w, http.StatusOK, "ok")
		} else {
			writeText(w, http.StatusServiceUnavailable, "not live")
		}
		return true
	case "/readyz":
		if h.isReady() {
			writeText(w, http.StatusOK, "ready")
		} else {
			writeText(w, http.StatusServiceUnavailable, "not ready")
		}
		return true
	case "/admin/ready":
		if !withAdmin {
			return false
		}
		h.serveToggle(w, r, "ready", &h.ready)
		return true
	case "/admin/live":
		if !withAdmin {
			return false
		}
		h.serveToggle(w, r, "live", &h.live)
		return true
	}
	return false
}

func (h *healthState) serveToggle(w http.ResponseWriter, r *http.Request, name string, flag *atomic.Bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSONError(w, http.StatusMethodNotAllowed,
			fmt.Sprintf("expected POST /admin/%s?value=true|false, got %s", name, r.Method))
		return
	}
	raw := r.URL.Query().Get("value")
	var value bool
	switch raw {
	case "true":
		value = true
	case "false":
		value = false
	default:
		writeJSONError(w, http.StatusBadRequest,
			fmt.Sprintf("query parameter value must be \"true\" or \"false\", got %q", raw))
		return
	}
	if old := flag.Swap(value); old != value && h.logger != nil {
		h.logger.Info("admin toggle changed", "flag", name, "value", value)
	}
	writeJSON(w, http.StatusOK, h.snapshot())
}

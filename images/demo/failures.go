package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
)

// failureInjector makes a backend answer a share of its requests with an HTTP
// error status, as a failing application would: the chaos harness sets it
// through POST /admin/fail and clears it with percent=0. The answer still
// carries the pod's identity, so a client can tell which pod failed.
type failureInjector struct {
	// percent and status are read on every request and set from the admin
	// endpoint: atomics keep the hot path lock-free.
	percent atomic.Int32
	status  atomic.Int32
}

// draw says whether this request fails, and with which status.
func (f *failureInjector) draw() (int, bool) {
	percent := f.percent.Load()
	if percent <= 0 {
		return 0, false
	}
	if percent < 100 && rand.IntN(100) >= int(percent) {
		return 0, false
	}
	return int(f.status.Load()), true
}

type failureSnapshot struct {
	Percent int `json:"percent"`
	Status  int `json:"status"`
}

// serve answers POST /admin/fail?percent=N&status=S (N 0..100, S 400..599).
func (f *failureInjector) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSONError(w, http.StatusMethodNotAllowed,
			fmt.Sprintf("expected POST /admin/fail?percent=N&status=S, got %s", r.Method))
		return
	}
	query := r.URL.Query()
	percent, err := strconv.Atoi(query.Get("percent"))
	if err != nil || percent < 0 || percent > 100 {
		writeJSONError(w, http.StatusBadRequest,
			fmt.Sprintf("query parameter percent must be a whole number from 0 to 100, got %q", query.Get("percent")))
		return
	}
	status := http.StatusServiceUnavailable
	if raw := query.Get("status"); raw != "" {
		status, err = strconv.Atoi(raw)
		if err != nil || status < 400 || status > 599 {
			writeJSONError(w, http.StatusBadRequest,
				fmt.Sprintf("query parameter status must be an HTTP error status from 400 to 599, got %q", raw))
			return
		}
	}
	f.status.Store(int32(status))
	f.percent.Store(int32(percent))
	writeJSON(w, http.StatusOK, failureSnapshot{Percent: percent, Status: status})
}

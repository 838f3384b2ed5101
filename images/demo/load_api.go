package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// loadRegistry serves the background load API of the prober role:
//
//	POST /load/start          {url, rate, durationMs, timeoutMs?, maxWorkers?} → {id}
//	GET  /load/{id}?since=N   status and the samples completed after cursor N
//	POST /load/{id}/stop?since=N  ends the schedule, waits for requests in flight, same answer as GET
type loadRegistry struct {
	mu    sync.Mutex
	runs  map[string]*loadRun
	order []string // ids in start order, to forget the oldest finished runs first
}

func newLoadRegistry() *loadRegistry {
	return &loadRegistry{runs: map[string]*loadRun{}}
}

const loadRoutes = "POST /load/start, GET /load/{id}?since=N, POST /load/{id}/stop"

func (reg *loadRegistry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/load/")
	if rest == "start" {
		if requirePost(w, r) {
			reg.serveStart(w, r)
		}
		return
	}
	id, action, _ := strings.Cut(rest, "/")
	run := reg.lookup(id)
	if run == nil || (action != "" && action != "stop") {
		writeJSONError(w, http.StatusNotFound,
			fmt.Sprintf("no load run at %q: expected %s with the id POST /load/start returned", r.URL.Path, loadRoutes))
		return
	}
	since, limit, err := pageParams(r)
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	if action == "stop" {
		if !requirePost(w, r) {
			return
		}
		run.stop()
		// Requests in flight end within their timeout, so this wait is bounded.
		select {
		case <-run.done:
		case <-r.Context().Done():
			return
		}
	} else if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSONError(w, http.StatusMethodNotAllowed, fmt.Sprintf("expected GET %s, got %s", r.URL.Path, r.Method))
		return
	}
	writeJSON(w, http.StatusOK, run.status(since, limit))
}

func pageParams(r *http.Request) (since, limit int, err error) {
	limit = maxSamplesPerPoll
	query := r.URL.Query()
	if v := query.Get("since"); v != "" {
		if since, err = strconv.Atoi(v); err != nil || since < 0 {
			return 0, 0, fmt.Errorf("since must be a sample cursor >= 0 (the next of the previous answer), got %q", v)
		}
	}
	if v := query.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 0 || limit > maxSamplesPerPoll {
			return 0, 0, fmt.Errorf("limit must be between 0 and %d samples, got %q", maxSamplesPerPoll, v)
		}
	}
	return since, limit, nil
}

func (reg *loadRegistry) serveStart(w http.ResponseWriter, r *http.Request) {
	var req loadStartRequest
	if err := decodeJSONBody(w, r, &req, loadStartExample); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := req.normalize(); err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	guard, err := guardFromEnv()
	if err != nil {
		// Refuse every destination rather than send outside the cluster with a broken guard.
		guard = &destinationGuard{source: err.Error()}
	}
	run, err := reg.add(req, guard)
	if err != nil {
		writeJSONError(w, http.StatusTooManyRequests, err.Error())
		return
	}
	run.start()
	writeJSON(w, http.StatusOK, map[string]string{"id": run.id})
}

func (reg *loadRegistry) add(req loadStartRequest, guard *destinationGuard) (*loadRun, error) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	var running []string
	for _, id := range reg.order {
		if !reg.runs[id].finished() {
			running = append(running, id)
		}
	}
	if len(running) >= maxRunningLoads {
		return nil, fmt.Errorf("%d load runs are already running on this prober (%s); stop one (POST /load/{id}/stop) or wait for it to end",
			len(running), strings.Join(running, ", "))
	}
	reg.forgetOldFinished()
	run := newLoadRun(newLoadID(), req, guard)
	reg.runs[run.id] = run
	reg.order = append(reg.order, run.id)
	return run, nil
}

// forgetOldFinished keeps at most maxKeptLoads-1 runs before a new one is
// added, dropping the oldest finished ones; running runs are never dropped.
func (reg *loadRegistry) forgetOldFinished() {
	excess := len(reg.order) - (maxKeptLoads - 1)
	kept := reg.order[:0]
	for _, id := range reg.order {
		if excess > 0 && reg.runs[id].finished() {
			delete(reg.runs, id)
			excess--
			continue
		}
		kept = append(kept, id)
	}
	reg.order = kept
}

func (reg *loadRegistry) lookup(id string) *loadRun {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.runs[id]
}

// newLoadID is random so that an id from before a prober restart can never
// name a different run.
func newLoadID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "load-" + hex.EncodeToString(b)
}

package main

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Limits for POST /load/start. Every run is bounded in rate, time and count,
// so it stops by itself even when nobody ever stops it.
const (
	maxLoadRate          = 5000
	maxLoadDurationMs    = 600000
	defaultLoadTimeoutMs = 2000
	maxLoadTimeoutMs     = 30000
	maxLoadWorkers       = 10000
	minLoadWorkers       = 10
	loadWorkerSlackMs    = 1000
	// maxLoadRequests bounds rate × duration, and so the memory one run's
	// samples take (about 48 bytes each): 10 minutes at 1000 req/s.
	maxLoadRequests = 600000
	// maxRunningLoads runs at once per prober; more would compete for its CPU
	// and skew every one of them.
	maxRunningLoads = 4
	// maxKeptLoads finished runs stay readable; older ones are forgotten.
	maxKeptLoads = 16
	// maxSamplesPerPoll keeps one answer to a few MB; the caller pages with next.
	maxSamplesPerPoll = 50000
	// rateHeldShare of the requested rate must be achieved, or the run says
	// it could not keep the rate.
	rateHeldShare = 0.99
	// rateJudgedAfter: before this much of a run has passed, one request
	// more or less moves the achieved rate too much to judge it.
	rateJudgedAfter = time.Second
	// stopCatchUp: after a stop, the requests already due by it that a busy
	// client has not sent yet still go (late; their lateness counts as
	// latency) for at most this long. A client further behind loses them, and
	// its run says it did not hold the rate.
	stopCatchUp = time.Second
)

type loadStartRequest struct {
	URL        string `json:"url"`
	Rate       int    `json:"rate"`
	DurationMs int    `json:"durationMs"`
	TimeoutMs  int    `json:"timeoutMs"`
	MaxWorkers int    `json:"maxWorkers"`
}

const loadStartExample = `{"url":"http://backend.ns.svc.cluster.local","rate":100,"durationMs":30000}`

// normalize fills defaults and validates, in the manner of
// httpProbeRequest.normalize: zero means "default" for the optional fields.
func (p *loadStartRequest) normalize() error {
	if p.URL == "" {
		return fmt.Errorf("url is required, e.g. %s", loadStartExample)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		return fmt.Errorf("url %q is not a valid URL: %v", p.URL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url must look like http://host[:port][/path], got %q", p.URL)
	}
	if p.Rate < 1 || p.Rate > maxLoadRate {
		return fmt.Errorf("rate must be between 1 and %d requests per second, got %d", maxLoadRate, p.Rate)
	}
	if p.DurationMs < 1 || p.DurationMs > maxLoadDurationMs {
		return fmt.Errorf("durationMs must be between 1 and %d, got %d", maxLoadDurationMs, p.DurationMs)
	}
	planned := int64(p.Rate) * int64(p.DurationMs) / 1000
	if planned < 1 {
		return fmt.Errorf("rate %d req/s for %d ms plans no request: make the duration at least %d ms",
			p.Rate, p.DurationMs, int(math.Ceil(1000/float64(p.Rate))))
	}
	if planned > maxLoadRequests {
		return fmt.Errorf("rate × duration plans %d requests, more than the %d one run may keep: lower the rate or the duration",
			planned, maxLoadRequests)
	}
	if p.TimeoutMs == 0 {
		p.TimeoutMs = defaultLoadTimeoutMs
	}
	if p.TimeoutMs < 1 || p.TimeoutMs > maxLoadTimeoutMs {
		return fmt.Errorf("timeoutMs must be between 1 and %d (0 or omitted means %d), got %d",
			maxLoadTimeoutMs, defaultLoadTimeoutMs, p.TimeoutMs)
	}
	if p.MaxWorkers == 0 {
		p.MaxWorkers = defaultLoadWorkers(p.Rate, p.TimeoutMs)
	}
	if p.MaxWorkers < 1 || p.MaxWorkers > maxLoadWorkers {
		return fmt.Errorf("maxWorkers must be between 1 and %d (0 or omitted means enough for every request to time out), got %d",
			maxLoadWorkers, p.MaxWorkers)
	}
	return nil
}

// defaultLoadWorkers is enough workers to hold the rate even while every
// request hangs until its timeout (a black-holed or bandwidth-capped Service):
// rate × (timeout + 1 s). The extra second is for timeouts that fire late and
// connections that take a while to close on a busy node: with rate × timeout
// alone (+10), a 16 kbit/s cap at 50 req/s touched all 110 workers in CI.
func defaultLoadWorkers(rate, timeoutMs int) int {
	need := int(math.Ceil(float64(rate)*float64(timeoutMs+loadWorkerSlackMs)/1000)) + minLoadWorkers
	return min(max(need, minLoadWorkers), maxLoadWorkers)
}

// Error kinds as one byte per sample; index 0 is "no error".
var loadErrorKinds = []string{"", kindRefused, kindReset, kindTimeout, kindDNS, kindBlocked, kindHTTP, kindOther}

func errorKindIndex(kind string) uint8 {
	if i := slices.Index(loadErrorKinds, kind); i >= 0 {
		return uint8(i)
	}
	return uint8(slices.Index(loadErrorKinds, kindOther))
}

// loadSample is one request, kept compact (a 60 s run at 1000 req/s keeps
// 60k of them). The scheduled time is not stored: it follows from seq.
type loadSample struct {
	seq         uint64
	startNs     int64 // Unix nanoseconds
	serviceNs   int64 // start to the end of the answer (or the error)
	pod         uint32
	frontendPod uint32 // indexes into loadRun.podNames; 0 is "none"
	status      uint16
	errorKind   uint8
	// afterStopMs: the answering pod had been told to stop this long before it accepted the connection; negative
	// when it had not (see backendAnswer.AfterStopMs).
	afterStopMs float32
}

type loadSampleJSON struct {
	Seq uint64 `json:"seq"`
	// ScheduledUnixMs is when the open-loop schedule said to start: the
	// attack's start + (seq+1) × interval (vegeta sends its first request one
	// interval in).
	ScheduledUnixMs float64 `json:"scheduledUnixMs"`
	StartUnixMs     float64 `json:"startUnixMs"`
	// LatencyMs runs from the scheduled time, so time spent waiting to
	// start counts (no coordinated omission); ServiceMs from the start.
	LatencyMs   float64 `json:"latencyMs"`
	ServiceMs   float64 `json:"serviceMs"`
	OK          bool    `json:"ok"`
	Status      int     `json:"status"`
	ErrorKind   string  `json:"errorKind"`
	Pod         string  `json:"pod"`
	FrontendPod string  `json:"frontendPod,omitempty"`
	// AfterStopMs is set when the answering pod had already been told to stop (SIGTERM) when it accepted the
	// connection: how long before, by its own clock.
	AfterStopMs *float64 `json:"afterStopMs,omitempty"`
}

type lagSummary struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

type loadStatus struct {
	ID         string `json:"id"`
	URL        string `json:"url"`
	State      string `json:"state"`
	StopReason string `json:"stopReason,omitempty"`
	// RequestedRate and AchievedRate are requests per second; achieved counts
	// requests started over the time the schedule ran.
	RequestedRate float64  `json:"requestedRate"`
	AchievedRate  float64  `json:"achievedRate"`
	RateHeld      bool     `json:"rateHeld"`
	RateProblems  []string `json:"rateProblems"`
	DurationMs    int      `json:"durationMs"`
	TimeoutMs     int      `json:"timeoutMs"`
	MaxWorkers    int      `json:"maxWorkers"`
	Planned       uint64   `json:"planned"`
	Started       uint64   `json:"started"`
	Completed     int      `json:"completed"`
	WorkersInUse  int64    `json:"workersInUse"`
	PeakWorkers   int64    `json:"peakWorkers"`
	// BeganUnixMs is the attack's start (0 before the first tick);
	// PacingEndedUnixMs when it stopped scheduling requests.
	BeganUnixMs       float64 `json:"beganUnixMs"`
	PacingEndedUnixMs float64 `json:"pacingEndedUnixMs,omitempty"`
	// ScheduleLagMs is start − scheduled over the samples so far.
	ScheduleLagMs lagSummary        `json:"scheduleLagMs"`
	ErrorCounts   map[string]int    `json:"errorCounts"`
	ErrorExamples map[string]string `json:"errorExamples"`
	// Samples are in completion order from the cursor `since`; Next is the
	// cursor for the following poll.
	Samples []loadSampleJSON `json:"samples"`
	Next    int              `json:"next"`
}

// loadRun is one background attack: vegeta paces and sends, the run records.
type loadRun struct {
	id        string
	req       loadStartRequest
	interval  time.Duration
	planned   uint64
	attacker  *vegeta.Attacker
	transport *loadTransport
	done      chan struct{}

	mu            sync.Mutex
	began         time.Time
	pacingEnded   time.Time
	stopReason    string
	ticks         uint64
	samples       []loadSample
	podNames      []string
	podIndex      map[string]uint32
	errorCounts   map[string]int
	errorExamples map[string]string
}

func newLoadRun(id string, req loadStartRequest, guard *destinationGuard) *loadRun {
	transport := newLoadTransport(guard, time.Duration(req.TimeoutMs)*time.Millisecond)
	client := &http.Client{
		Transport: transport,
		// Report what the Service answered, not where it redirected to.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	run := &loadRun{
		id:  id,
		req: req,
		// vegeta's ConstantPacer spaces hits by this integer division.
		interval:  time.Second / time.Duration(req.Rate),
		planned:   uint64(req.Rate) * uint64(req.DurationMs) / 1000,
		transport: transport,
		done:      make(chan struct{}),
		// vegeta's KeepAlive and Connections options assume its own
		// *http.Transport; the client above already disables keep-alives.
		attacker: vegeta.NewAttacker(
			vegeta.Client(client),
			vegeta.MaxWorkers(uint64(req.MaxWorkers)),
			vegeta.Workers(uint64(min(minLoadWorkers, req.MaxWorkers))),
			vegeta.MaxBody(maxBodyRead),
		),
		podNames:      []string{""},
		podIndex:      map[string]uint32{"": 0},
		errorCounts:   map[string]int{},
		errorExamples: map[string]string{},
	}
	return run
}

// start begins the attack in the background and returns at once.
func (r *loadRun) start() {
	target := vegeta.NewStaticTargeter(vegeta.Target{
		Method: http.MethodGet,
		URL:    r.req.URL,
		Header: http.Header{"User-Agent": {"kubequake-prober/" + version}},
	})
	pacer := &loadPacer{run: r, constant: vegeta.ConstantPacer{Freq: r.req.Rate, Per: time.Second}}
	// Duration 0: the pacer ends the attack after exactly `planned` requests.
	results := r.attacker.Attack(target, pacer, 0, r.id)
	go func() {
		for res := range results {
			r.collect(res)
		}
		r.mu.Lock()
		if r.pacingEnded.IsZero() {
			r.pacingEnded = time.Now()
		}
		r.mu.Unlock()
		close(r.done)
	}()
}

// loadPacer is vegeta's ConstantPacer plus bookkeeping: the attack's start
// (so scheduled times are exact), how many requests were handed to workers,
// and the end after `planned` requests or a stop.
type loadPacer struct {
	run      *loadRun
	constant vegeta.ConstantPacer
}

func (p *loadPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	now := time.Now()
	r := p.run
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.began.IsZero() {
		// vegeta measures elapsed from its own start just before calling.
		r.began = now.Add(-elapsed)
	}
	r.ticks = hits
	if !r.pacingEnded.IsZero() {
		// After a stop, hand out at once what was due by it, then end.
		if r.stopReason == "stopped" && hits < r.dueBy(r.pacingEnded) {
			return 0, false
		}
		return 0, true
	}
	if hits >= r.planned {
		r.pacingEnded, r.stopReason = now, "duration"
		return 0, true
	}
	return p.constant.Pace(elapsed, hits)
}

func (p *loadPacer) Rate(elapsed time.Duration) float64 { return p.constant.Rate(elapsed) }

// stop ends the schedule: no request scheduled after now is sent; one already
// due but not yet sent (the client is behind, say on a loaded machine) still
// goes, within stopCatchUp, so a stop does not cut a late client's last
// requests out of its run. Requests in flight finish (within their timeout).
func (r *loadRun) stop() {
	r.mu.Lock()
	if r.pacingEnded.IsZero() {
		r.pacingEnded, r.stopReason = time.Now(), "stopped"
	}
	// Not when every worker is busy: those requests would wait for a worker
	// anyway (the run reports that), and catching up would only prolong it.
	behind := !r.began.IsZero() && r.stopReason == "stopped" && r.ticks < r.dueBy(r.pacingEnded) &&
		r.transport.inFlight.Load() < int64(r.req.MaxWorkers)
	r.mu.Unlock()
	if !behind {
		r.attacker.Stop()
		return
	}
	// The pacer ends the attack once it has caught up; this ends it if it cannot.
	time.AfterFunc(stopCatchUp, func() { r.attacker.Stop() })
}

// dueBy is how many requests the schedule had due by t: request seq goes at
// began + (seq+1) × interval. Callers hold r.mu.
func (r *loadRun) dueBy(t time.Time) uint64 {
	if t.Before(r.began) {
		return 0
	}
	return min(uint64(t.Sub(r.began)/r.interval), r.planned)
}

func (r *loadRun) collect(res *vegeta.Result) {
	sample := loadSample{
		seq:         res.Seq,
		startNs:     res.Timestamp.UnixNano(),
		serviceNs:   int64(res.Latency),
		status:      res.Code,
		afterStopMs: -1,
	}
	// Always take the transport's record, so it never outlives the result.
	kind, classified := r.transport.takeKind(res.Seq)
	switch {
	case res.Error == "" && res.Code >= 200 && res.Code <= 299:
		kind = ""
	case classified:
	case res.Code != 0:
		kind = kindHTTP
	default:
		kind = kindOther
	}
	pod, frontendPod := "", ""
	if res.Code != 0 {
		var answer httpProbeResult
		fillFromAnswer(&answer, res.Body)
		pod, frontendPod = answer.Pod, answer.FrontendPod
		if answer.AfterStopMs != nil {
			sample.afterStopMs = float32(*answer.AfterStopMs)
		}
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	sample.errorKind = errorKindIndex(kind)
	sample.pod, sample.frontendPod = r.internPod(pod), r.internPod(frontendPod)
	if kind != "" {
		r.errorCounts[kind]++
		if _, seen := r.errorExamples[kind]; !seen {
			message := res.Error
			if message == "" {
				message = fmt.Sprintf("HTTP %d %s", res.Code, http.StatusText(int(res.Code)))
			}
			r.errorExamples[kind] = message
		}
	}
	r.samples = append(r.samples, sample)
}

func (r *loadRun) internPod(name string) uint32 {
	if i, ok := r.podIndex[name]; ok {
		return i
	}
	i := uint32(len(r.podNames))
	r.podNames = append(r.podNames, name)
	r.podIndex[name] = i
	return i
}

// startedBy counts the finished run's requests that the schedule had due by
// its end. After a stop, vegeta may still hand out the request it was
// sleeping for (its loop notices the stop only after the sleep); that one was
// scheduled outside the window and does not count towards the rate. One due
// before the stop but sent after it (caught up late) does. A run that ended by
// itself counts every request: its last one may start a few µs after the
// pacer decided to end.
func (snap *loadSnapshot) startedBy(end time.Time, stopReason string) uint64 {
	if stopReason != "stopped" {
		return uint64(len(snap.samples))
	}
	var started uint64
	for _, sample := range snap.samples {
		if !snap.scheduled(sample.seq).After(end) {
			started++
		}
	}
	return started
}

// loadSnapshot is what status reads of a run, taken under the run's lock.
type loadSnapshot struct {
	began    time.Time
	interval time.Duration
	samples  []loadSample
	podNames []string
}

func (snap *loadSnapshot) scheduled(seq uint64) time.Time {
	return snap.began.Add(time.Duration(seq+1) * snap.interval)
}

func (r *loadRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// status reports the run and up to limit samples from the cursor since.
func (r *loadRun) status(since, limit int) loadStatus {
	finished := r.finished()
	now := time.Now()
	r.mu.Lock()
	// Samples and pod names only ever grow and a written entry never
	// changes, so the snapshot is read after unlocking: the sort and the
	// JSON below must not hold up collect (and so vegeta's workers).
	snap := loadSnapshot{began: r.began, interval: r.interval, samples: r.samples, podNames: r.podNames}
	st := loadStatus{
		ID:            r.id,
		URL:           r.req.URL,
		State:         "running",
		StopReason:    r.stopReason,
		RequestedRate: float64(r.req.Rate),
		DurationMs:    r.req.DurationMs,
		TimeoutMs:     r.req.TimeoutMs,
		MaxWorkers:    r.req.MaxWorkers,
		Planned:       r.planned,
		Started:       r.ticks,
		Completed:     len(r.samples),
		WorkersInUse:  r.transport.inFlight.Load(),
		PeakWorkers:   r.transport.peakInFlight.Load(),
		ErrorCounts:   maps.Clone(r.errorCounts),
		ErrorExamples: maps.Clone(r.errorExamples),
		Samples:       []loadSampleJSON{},
	}
	pacingEnded := r.pacingEnded
	r.mu.Unlock()

	if finished {
		st.State = "done"
		st.Started = snap.startedBy(pacingEnded, st.StopReason)
	}
	if !snap.began.IsZero() {
		st.BeganUnixMs = unixMs(snap.began)
		end := now
		if !pacingEnded.IsZero() {
			end = pacingEnded
			st.PacingEndedUnixMs = unixMs(end)
		}
		// Whole slots only: each slot of the schedule ends with its request,
		// so the part of a slot before a stop (or before now) would count
		// time without its request and understate a rate that was held.
		window := end.Sub(snap.began) / snap.interval * snap.interval
		if window > 0 {
			st.AchievedRate = roundMicro(float64(st.Started) / window.Seconds())
		}
		st.RateProblems = assessRate(st.RequestedRate, st.AchievedRate, window, st.PeakWorkers, st.MaxWorkers)
	}
	if st.RateProblems == nil {
		st.RateProblems = []string{}
	}
	st.RateHeld = len(st.RateProblems) == 0
	st.ScheduleLagMs = snap.lagSummary()

	since = min(max(since, 0), len(snap.samples))
	end := min(since+limit, len(snap.samples))
	for _, sample := range snap.samples[since:end] {
		st.Samples = append(st.Samples, snap.sampleJSON(sample))
	}
	st.Next = end
	return st
}

// assessRate says why a result would be skewed: too few requests started, or
// all workers busy at once (requests then wait for one and start late).
func assessRate(requested, achieved float64, window time.Duration, peakWorkers int64, maxWorkers int) []string {
	var problems []string
	if window >= rateJudgedAfter && achieved < requested*rateHeldShare {
		problems = append(problems, fmt.Sprintf("achieved %.1f req/s, below %.0f%% of the requested %.0f req/s",
			achieved, rateHeldShare*100, requested))
	}
	if peakWorkers >= int64(maxWorkers) {
		problems = append(problems, fmt.Sprintf("all %d workers were busy at once, so requests waited for a free worker and started late",
			maxWorkers))
	}
	return problems
}

func (snap *loadSnapshot) lagSummary() lagSummary {
	if len(snap.samples) == 0 || snap.began.IsZero() {
		return lagSummary{}
	}
	lags := make([]float64, len(snap.samples))
	for i, sample := range snap.samples {
		lags[i] = float64(sample.startNs-snap.scheduled(sample.seq).UnixNano()) / 1e6
	}
	slices.Sort(lags)
	at := func(q float64) float64 {
		return roundMicro(lags[int(math.Ceil(q*float64(len(lags))))-1])
	}
	return lagSummary{P50: at(0.50), P99: at(0.99), Max: roundMicro(lags[len(lags)-1])}
}

func (snap *loadSnapshot) sampleJSON(s loadSample) loadSampleJSON {
	scheduled := snap.scheduled(s.seq)
	start := time.Unix(0, s.startNs)
	end := start.Add(time.Duration(s.serviceNs))
	kind := loadErrorKinds[s.errorKind]
	var afterStop *float64
	if s.afterStopMs >= 0 {
		ms := roundMicro(float64(s.afterStopMs))
		afterStop = &ms
	}
	return loadSampleJSON{
		Seq:             s.seq,
		ScheduledUnixMs: unixMs(scheduled),
		StartUnixMs:     unixMs(start),
		LatencyMs:       roundMicro(durationMs(end.Sub(scheduled))),
		ServiceMs:       roundMicro(durationMs(time.Duration(s.serviceNs))),
		OK:              kind == "",
		Status:          int(s.status),
		ErrorKind:       kind,
		Pod:             snap.podNames[s.pod],
		FrontendPod:     snap.podNames[s.frontendPod],
		AfterStopMs:     afterStop,
	}
}

// roundMicro rounds milliseconds to microseconds, the resolution recorded.
func roundMicro(ms float64) float64 {
	return math.Round(ms*1000) / 1000
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// shutdownTimeout caps how long in-flight requests may delay exit after the
// shutdown delay; the kubelet SIGKILLs us at the grace period anyway.
const shutdownTimeout = 10 * time.Second

func newLogger(role string) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, nil)).With("role", role)
}

func listenAll(addrs []string) ([]net.Listener, error) {
	var listeners []net.Listener
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, open := range listeners {
				_ = open.Close()
			}
			return nil, fmt.Errorf("listening on %q: %w", addr, err)
		}
		listeners = append(listeners, ln)
	}
	return listeners, nil
}

// acceptedKey keys the moment a connection was accepted in its requests' contexts.
type acceptedKey struct{}

// stampAccepted is an http.Server ConnContext hook: it runs as soon as a connection is accepted. The accept (not
// the request's arrival) is what says whether a pod still took new work after it was told to stop: a request that
// was already on its way when SIGTERM came is drained, not newly accepted.
func stampAccepted(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, acceptedKey{}, time.Now())
}

// acceptedAt is when the request's connection was accepted (now, for a request served without stampAccepted).
func acceptedAt(r *http.Request) time.Time {
	if at, ok := r.Context().Value(acceptedKey{}).(time.Time); ok {
		return at
	}
	return time.Now()
}

// serveRole is the common main loop of the server roles: listen, serve until
// SIGTERM/SIGINT, shut down gracefully. It returns the process exit code.
func serveRole(logger *slog.Logger, id identity, handler http.Handler, health *healthState, addrs []string, shutdownDelay time.Duration) int {
	listeners, err := listenAll(addrs)
	if err != nil {
		logger.Error("startup failed", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	var bound []string
	for _, ln := range listeners {
		bound = append(bound, ln.Addr().String())
	}
	logger.Info("started", "version", version, "listen", bound, "pod", id.Pod,
		"namespace", id.Namespace, "podIP", id.PodIP, "node", id.Node,
		"ready", health.isReady(), "shutdownDelay", shutdownDelay.String())

	if err := runServers(ctx, logger, handler, listeners, health, shutdownDelay); err != nil {
		logger.Error("exiting with error", "err", err)
		return 1
	}
	logger.Info("exited cleanly")
	return 0
}

// runServers serves handler on every listener until ctx is cancelled, then
// runs the graceful sequence the Kubernetes termination flow needs: fail
// readiness at once, keep serving for shutdownDelay so kube-proxy and the
// endpoint controllers catch up, then drain with http.Server.Shutdown.
// A serving error on any listener aborts without the delay.
func runServers(ctx context.Context, logger *slog.Logger, handler http.Handler, listeners []net.Listener, health *healthState, shutdownDelay time.Duration) error {
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	servers := make([]*http.Server, len(listeners))
	serveErrs := make(chan error, len(listeners))
	for i, ln := range listeners {
		srv := &http.Server{
			Handler:           handler,
			ConnContext:       stampAccepted,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       90 * time.Second,
			ErrorLog:          errorLog,
		}
		servers[i] = srv
		go func(ln net.Listener) {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				serveErrs <- fmt.Errorf("serving on %s: %w", ln.Addr(), err)
			}
		}(ln)
	}

	var serveErr error
	select {
	case <-ctx.Done():
		health.beginShutdown()
		// Without a delay the listeners close next, before anything is logged: a connection accepted between the
		// stop and the close is marked as taken after the stop, so that gap is kept as short as it can be.
		if shutdownDelay > 0 {
			logger.Info("shutdown requested: readiness now failing", "shutdownDelay", shutdownDelay.String())
			timer := time.NewTimer(shutdownDelay)
			select {
			case <-timer.C:
			case serveErr = <-serveErrs:
				timer.Stop()
			}
		}
	case serveErr = <-serveErrs:
		health.beginShutdown()
	}
	if serveErr != nil {
		logger.Error("listener failed; shutting down", "err", serveErr)
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Add(1)
		go func(srv *http.Server) {
			defer wg.Done()
			if err := srv.Shutdown(shutdownCtx); err != nil {
				// Requests still running after the cap are cut off; the
				// exit stays clean because the delay already did its job.
				logger.Warn("drain timed out; closing remaining connections", "err", err)
				_ = srv.Close()
			}
		}(srv)
	}
	logger.Info("draining connections", "shutdownDelay", shutdownDelay.String(), "timeout", shutdownTimeout.String())
	wg.Wait()
	return serveErr
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"time"
)

// udpProbePayload is what the prober sends in each UDP datagram; the backend
// answers any datagram with its identity, so the payload is only a marker.
const udpProbePayload = "kubequake-probe\n"

// maxDatagram bounds a UDP answer: a backend identity is a few hundred bytes.
const maxDatagram = 4096

// probeRawOnce sends one raw probe for a tcp:// or udp:// target (host:port).
//
// tcp://: success means the TCP handshake completed (a raw port needs no
// protocol); nothing is sent. udp://: one datagram goes out and the answer is
// awaited until the timeout; a demo backend answers with its identity, so the
// result names the pod. A closed UDP port shows as refused (the ICMP port
// unreachable that a connected UDP socket reports), a dropped datagram as a
// timeout.
func probeRawOnce(ctx context.Context, guard *destinationGuard, target *url.URL, seq int, timeout time.Duration) httpProbeResult {
	start := time.Now()
	res := httpProbeResult{Seq: seq, StartUnixMs: unixMs(start)}
	finish := func() httpProbeResult {
		res.DurationMs = durationMs(time.Since(start))
		return res
	}
	reqCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := guard.dialer().DialContext(reqCtx, target.Scheme, target.Host)
	if err != nil {
		res.Error, res.ErrorKind = err.Error(), classifyTransportError(err)
		return finish()
	}
	defer conn.Close()
	res.LocalIP = localIP(conn)
	if deadline, ok := reqCtx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if target.Scheme == "tcp" {
		res.OK = true
		return finish()
	}
	if _, err := conn.Write([]byte(udpProbePayload)); err != nil {
		res.Error, res.ErrorKind = fmt.Sprintf("sending the datagram: %v", err), classifyTransportError(err)
		return finish()
	}
	buf := make([]byte, maxDatagram)
	n, err := conn.Read(buf)
	if err != nil {
		res.Error, res.ErrorKind = fmt.Sprintf("awaiting the answer: %v", err), classifyTransportError(err)
		return finish()
	}
	fillFromAnswer(&res, buf[:n])
	res.OK = true
	return finish()
}

// serveUDP answers every datagram on addr with the backend identity (as the
// HTTP backend does), so UDP through a Service shows which pod answered. It
// runs until the listener fails; the process exit closes it.
func serveUDP(addr string, id identity, logf func(msg string, args ...any)) error {
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("listening on udp %q: %w", addr, err)
	}
	go func() {
		defer conn.Close()
		buf := make([]byte, maxDatagram)
		for {
			_, from, err := conn.ReadFrom(buf)
			if err != nil {
				logf("udp listener stopped", "addr", addr, "err", err)
				return
			}
			clientIP := from.String()
			if host, _, err := net.SplitHostPort(from.String()); err == nil {
				clientIP = host
			}
			answer := backendAnswer{
				Pod: id.Pod, Namespace: id.Namespace, PodIP: id.PodIP, Node: id.Node,
				Client: from.String(), ClientIP: clientIP, Path: "udp",
				ServedAt: time.Now().UTC().Format(time.RFC3339Nano),
			}
			if body, err := json.Marshal(answer); err == nil {
				_, _ = conn.WriteTo(body, from)
			}
		}
	}()
	return nil
}

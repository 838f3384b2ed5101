package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// The latency-proxy role: Toxiproxy's own proxy and latency toxic, embedded, between a Service and its pods. These
// hosts' kernels have no netem, so added latency has to come from something in the traffic path; kubequake points
// the Service at these pods and these pods at the backends (see support/chaos/latency.ts).

// latencyProxyConfig is read from the environment: LISTEN (":8080"), UPSTREAM ("10.96.1.2:80"), LATENCY_MS, and
// TOXICS: more Toxiproxy toxics as its own JSON (a list of {"type","stream","toxicity","attributes"}), e.g. a
// reset_peer toxic that resets connections. LATENCY_MS may be left out when TOXICS is given.
type latencyProxyConfig struct {
	listen    string
	upstream  string
	latencyMs int
	toxics    []json.RawMessage
}

func latencyProxyConfigFromEnv(getenv func(string) string) (latencyProxyConfig, error) {
	config := latencyProxyConfig{listen: getenv("LISTEN"), upstream: getenv("UPSTREAM")}
	if config.listen == "" {
		config.listen = "0.0.0.0:8080"
	}
	if !strings.Contains(config.upstream, ":") {
		return config, fmt.Errorf("UPSTREAM must be host:port (the Service the latency is added in front of), got %q", config.upstream)
	}
	if raw := getenv("TOXICS"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &config.toxics); err != nil || len(config.toxics) == 0 {
			return config, fmt.Errorf("TOXICS must be a non-empty JSON list of Toxiproxy toxics, got %q", raw)
		}
		if getenv("LATENCY_MS") == "" {
			return config, nil
		}
	}
	latency, err := strconv.Atoi(getenv("LATENCY_MS"))
	if err != nil || latency < 1 || latency > 60000 {
		return config, fmt.Errorf("LATENCY_MS must be a whole number of milliseconds between 1 and 60000, got %q", getenv("LATENCY_MS"))
	}
	config.latencyMs = latency
	return config, nil
}

// startLatencyProxy starts one Toxiproxy proxy with a latency toxic on the answers (downstream) and returns it.
func startLatencyProxy(config latencyProxyConfig, logs io.Writer) (*toxiproxy.ApiServer, error) {
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.New(logs))
	proxy := toxiproxy.NewProxy(server, "service", config.listen, config.upstream)
	if err := server.Collection.Add(proxy, true); err != nil {
		return nil, fmt.Errorf("starting the proxy on %s: %w", config.listen, err)
	}
	if config.latencyMs > 0 {
		toxic := fmt.Sprintf(`{"name":"latency","type":"latency","stream":"downstream","attributes":{"latency":%d}}`, config.latencyMs)
		if _, err := proxy.Toxics.AddToxicJson(strings.NewReader(toxic)); err != nil {
			return nil, fmt.Errorf("adding the latency toxic: %w", err)
		}
	}
	for i, toxic := range config.toxics {
		if _, err := proxy.Toxics.AddToxicJson(bytes.NewReader(toxic)); err != nil {
			return nil, fmt.Errorf("adding toxic %d of TOXICS (%s): %w", i+1, toxic, err)
		}
	}
	return server, nil
}

func runLatencyProxyRole(_ []string) int {
	config, err := latencyProxyConfigFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "latency-proxy: %v\n", err)
		return 2
	}
	if _, err := startLatencyProxy(config, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "latency-proxy: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "latency-proxy: %s -> %s with %d ms of latency on every answer and %d more toxic(s)\n", config.listen, config.upstream, config.latencyMs, len(config.toxics))
	select {}
}

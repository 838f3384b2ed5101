package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// identity describes where this process runs. It is filled from environment
// variables that the pod spec sets through the Kubernetes downward API, so a
// response can tell the test harness exactly which pod answered.
type identity struct {
	Pod       string
	Namespace string
	PodIP     string
	Node      string
}

func identityFromEnv() identity {
	id := identity{
		Pod:       os.Getenv("POD_NAME"),
		Namespace: os.Getenv("POD_NAMESPACE"),
		PodIP:     os.Getenv("POD_IP"),
		Node:      os.Getenv("NODE_NAME"),
	}
	if id.Pod == "" {
		// Outside Kubernetes (or without the downward API) the hostname is the
		// best stand-in; inside a pod it equals the pod name anyway.
		if host, err := os.Hostname(); err == nil {
			id.Pod = host
		}
	}
	return id
}

// envOr returns the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("env %s=%q: expected a Go duration such as 5s or 250ms: %w", key, v, err)
	}
	if d < 0 {
		return 0, fmt.Errorf("env %s=%q: duration must not be negative", key, v)
	}
	return d, nil
}

func envBool(key string, def bool) (bool, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("env %s=%q: expected true or false", key, v)
	}
	return b, nil
}

// splitList splits a comma separated list, dropping blanks so that
// "EXTRA_LISTEN=:9090," or an empty variable behave sensibly.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

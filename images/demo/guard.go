package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
)

// errBlocked marks a dial the destination guard refused.
var errBlocked = errors.New("destination outside the allowed networks")

const kindBlocked = "blocked"

// destinationGuard keeps every connection this program makes inside the networks it is told about
// (ALLOWED_NETWORKS, comma-separated CIDRs: the cluster's pod, Service and node addresses). A name that resolves
// elsewhere (a typo, a search-domain fallback to the host's resolver) is refused before any packet leaves.
type destinationGuard struct {
	networks []*net.IPNet
	source   string
}

// loopbackOnly is the default when ALLOWED_NETWORKS is unset: safe for local runs and tests.
const loopbackOnly = "127.0.0.0/8,::1/128"

func guardFromEnv() (*destinationGuard, error) {
	spec := strings.TrimSpace(os.Getenv("ALLOWED_NETWORKS"))
	if spec == "" {
		spec = loopbackOnly
	}
	return parseGuard(spec)
}

func parseGuard(spec string) (*destinationGuard, error) {
	guard := &destinationGuard{source: spec}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		_, network, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("ALLOWED_NETWORKS: expected comma-separated CIDRs like 10.96.0.0/12, got %q", part)
		}
		guard.networks = append(guard.networks, network)
	}
	return guard, nil
}

func (g *destinationGuard) allows(ip net.IP) bool {
	for _, network := range g.networks {
		if network.Contains(ip) {
			return true
		}
	}
	return false
}

// control is a net.Dialer Control hook: it runs after name resolution, before the connect.
func (g *destinationGuard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !g.allows(ip) {
		return fmt.Errorf("%w: %s is not in ALLOWED_NETWORKS (%s)", errBlocked, host, g.source)
	}
	return nil
}

func (g *destinationGuard) dialer() *net.Dialer {
	return &net.Dialer{Control: g.control}
}

package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"
)

const (
	maxDNSCount = 1000
	maxDNSName  = 253
)

// dnsResolver is the subset of *net.Resolver the DNS probe uses; tests inject
// a fake so that no real DNS traffic is needed.
type dnsResolver interface {
	LookupIP(ctx context.Context, network, host string) ([]net.IP, error)
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupCNAME(ctx context.Context, host string) (string, error)
}

// newGoResolver uses Go's own DNS client, which reads /etc/resolv.conf and
// applies search domains and ndots exactly as a pod's libc would, and works
// in a FROM-scratch image without NSS.
func newGoResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true}
}

type dnsProbeRequest struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Count     int    `json:"count"`
	TimeoutMs int    `json:"timeoutMs"`
}

const dnsProbeExample = `{"name":"backend.ns.svc.cluster.local","type":"A","count":1}`

func (p *dnsProbeRequest) normalize() error {
	if p.Name == "" {
		return fmt.Errorf("name is required, e.g. %s", dnsProbeExample)
	}
	if len(p.Name) > maxDNSName {
		return fmt.Errorf("name must be at most %d characters, got %d", maxDNSName, len(p.Name))
	}
	if p.Type == "" {
		p.Type = "A"
	}
	p.Type = strings.ToUpper(p.Type)
	switch p.Type {
	case "A", "AAAA", "SRV", "CNAME":
	default:
		return fmt.Errorf("type must be one of A, AAAA, SRV, CNAME, got %q", p.Type)
	}
	if p.Count == 0 {
		p.Count = 1
	}
	if p.Count < 1 || p.Count > maxDNSCount {
		return fmt.Errorf("count must be between 1 and %d (0 or omitted means 1), got %d", maxDNSCount, p.Count)
	}
	if p.TimeoutMs == 0 {
		p.TimeoutMs = defaultTimeoutMs
	}
	if p.TimeoutMs < 1 || p.TimeoutMs > maxTimeoutMs {
		return fmt.Errorf("timeoutMs must be between 1 and %d (0 or omitted means %d), got %d",
			maxTimeoutMs, defaultTimeoutMs, p.TimeoutMs)
	}
	return nil
}

type dnsProbeResult struct {
	Seq         int      `json:"seq"`
	StartUnixMs float64  `json:"startUnixMs"`
	DurationMs  float64  `json:"durationMs"`
	OK          bool     `json:"ok"`
	Answers     []string `json:"answers"`
	Error       string   `json:"error"`
	ErrorKind   string   `json:"errorKind"`
}

type dnsProbeResponse struct {
	Name    string           `json:"name"`
	Type    string           `json:"type"`
	Results []dnsProbeResult `json:"results"`
}

// runDNSProbe performs the lookups one after another: the point is to watch
// how answers change over time (e.g. while endpoints come and go), not to
// load the DNS server.
func runDNSProbe(ctx context.Context, resolver dnsResolver, req dnsProbeRequest) dnsProbeResponse {
	timeout := time.Duration(req.TimeoutMs) * time.Millisecond
	results := make([]dnsProbeResult, 0, req.Count)
	for seq := 0; seq < req.Count && ctx.Err() == nil; seq++ {
		start := time.Now()
		lookupCtx, cancel := context.WithTimeout(ctx, timeout)
		answers, err := lookupAnswers(lookupCtx, resolver, req.Name, req.Type)
		cancel()
		res := dnsProbeResult{
			Seq:         seq,
			StartUnixMs: unixMs(start),
			DurationMs:  durationMs(time.Since(start)),
			OK:          err == nil,
			Answers:     answers,
			ErrorKind:   classifyDNSError(err),
		}
		if res.Answers == nil {
			res.Answers = []string{}
		}
		if err != nil {
			res.Error = err.Error()
		}
		results = append(results, res)
	}
	return dnsProbeResponse{Name: req.Name, Type: req.Type, Results: results}
}

// lookupAnswers returns answers in a canonical order so that results can be
// compared across lookups regardless of the server's round-robin order.
func lookupAnswers(ctx context.Context, resolver dnsResolver, name, qtype string) ([]string, error) {
	switch qtype {
	case "A", "AAAA":
		network := "ip4"
		if qtype == "AAAA" {
			network = "ip6"
		}
		ips, err := resolver.LookupIP(ctx, network, name)
		if err != nil {
			return nil, err
		}
		return formatIPs(ips), nil
	case "SRV":
		// Empty service and proto make Go query name as given, so callers
		// pass the full "_port._proto.svc..." form.
		_, srvs, err := resolver.LookupSRV(ctx, "", "", name)
		if err != nil {
			return nil, err
		}
		return formatSRVs(srvs), nil
	case "CNAME":
		cname, err := resolver.LookupCNAME(ctx, name)
		if err != nil {
			return nil, err
		}
		return []string{cname}, nil
	}
	return nil, fmt.Errorf("unsupported query type %q", qtype)
}

// formatIPs sorts numerically (10.0.0.9 before 10.0.0.10) and prints IPv4
// addresses in dotted form even when the resolver returned 16-byte slices.
func formatIPs(ips []net.IP) []string {
	addrs := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if addr, ok := netip.AddrFromSlice(ip); ok {
			addrs = append(addrs, addr.Unmap())
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	out := make([]string, len(addrs))
	for i, addr := range addrs {
		out[i] = addr.String()
	}
	return out
}

// formatSRVs renders "priority weight port target", sorted numerically by
// priority, weight and port, then by target.
func formatSRVs(srvs []*net.SRV) []string {
	sorted := slices.Clone(srvs)
	slices.SortFunc(sorted, func(a, b *net.SRV) int {
		return cmp.Or(
			cmp.Compare(a.Priority, b.Priority),
			cmp.Compare(a.Weight, b.Weight),
			cmp.Compare(a.Port, b.Port),
			strings.Compare(a.Target, b.Target),
		)
	})
	out := make([]string, len(sorted))
	for i, srv := range sorted {
		out[i] = fmt.Sprintf("%d %d %d %s", srv.Priority, srv.Weight, srv.Port, srv.Target)
	}
	return out
}

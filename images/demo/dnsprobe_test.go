package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// fakeResolver answers from fixed tables and records the queries it got.
type fakeResolver struct {
	ips     map[string][]net.IP // key: network + " " + host
	srvs    map[string][]*net.SRV
	cnames  map[string]string
	err     error
	queries *[]string
}

func (f fakeResolver) record(q string) {
	if f.queries != nil {
		*f.queries = append(*f.queries, q)
	}
}

func (f fakeResolver) LookupIP(_ context.Context, network, host string) ([]net.IP, error) {
	f.record(network + " " + host)
	if f.err != nil {
		return nil, f.err
	}
	if ips, ok := f.ips[network+" "+host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (f fakeResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	f.record("SRV " + service + "|" + proto + "|" + name)
	if f.err != nil {
		return "", nil, f.err
	}
	if srvs, ok := f.srvs[name]; ok {
		return name, srvs, nil
	}
	return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f fakeResolver) LookupCNAME(_ context.Context, host string) (string, error) {
	f.record("CNAME " + host)
	if f.err != nil {
		return "", f.err
	}
	if c, ok := f.cnames[host]; ok {
		return c, nil
	}
	return "", &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestLookupAnswersFormatting(t *testing.T) {
	var queries []string
	res := fakeResolver{
		ips: map[string][]net.IP{
			// 16-byte IPv4 forms must print as dotted quads, and numeric
			// order must put .9 before .10.
			"ip4 backend": {net.ParseIP("10.0.0.10"), net.ParseIP("10.0.0.9").To4(), net.ParseIP("10.0.0.100")},
			"ip6 backend": {net.ParseIP("fd00::10"), net.ParseIP("fd00::9")},
		},
		srvs: map[string][]*net.SRV{
			"_http._tcp.backend.kq.svc.cluster.local": {
				{Target: "b.backend.kq.svc.cluster.local.", Port: 80, Priority: 10, Weight: 50},
				{Target: "a.backend.kq.svc.cluster.local.", Port: 80, Priority: 10, Weight: 50},
				{Target: "c.backend.kq.svc.cluster.local.", Port: 8080, Priority: 2, Weight: 100},
			},
		},
		cnames:  map[string]string{"ext": "example.com."},
		queries: &queries,
	}
	cases := []struct {
		name, qtype string
		want        []string
	}{
		{"backend", "A", []string{"10.0.0.9", "10.0.0.10", "10.0.0.100"}},
		{"backend", "AAAA", []string{"fd00::9", "fd00::10"}},
		{"_http._tcp.backend.kq.svc.cluster.local", "SRV", []string{
			"2 100 8080 c.backend.kq.svc.cluster.local.",
			"10 50 80 a.backend.kq.svc.cluster.local.",
			"10 50 80 b.backend.kq.svc.cluster.local.",
		}},
		{"ext", "CNAME", []string{"example.com."}},
	}
	for _, tc := range cases {
		got, err := lookupAnswers(context.Background(), res, tc.name, tc.qtype)
		if err != nil {
			t.Errorf("%s %s: %v", tc.qtype, tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s = %q, want %q", tc.qtype, tc.name, got, tc.want)
		}
	}
	wantQueries := []string{"ip4 backend", "ip6 backend", "SRV ||_http._tcp.backend.kq.svc.cluster.local", "CNAME ext"}
	if !reflect.DeepEqual(queries, wantQueries) {
		t.Errorf("queries = %q, want %q", queries, wantQueries)
	}
}

func TestClassifyDNSError(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, kindNXDomain},
		{&net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, kindTimeout},
		{context.DeadlineExceeded, kindTimeout},
		{&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, kindOther},
		{errors.New("boom"), kindOther},
	}
	for _, tc := range cases {
		if got := classifyDNSError(tc.err); got != tc.want {
			t.Errorf("classifyDNSError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestRunDNSProbeResults(t *testing.T) {
	res := fakeResolver{ips: map[string][]net.IP{"ip4 backend": {net.ParseIP("10.0.0.1")}}}
	req := dnsProbeRequest{Name: "backend", Type: "a", Count: 3}
	if err := req.normalize(); err != nil {
		t.Fatal(err)
	}
	resp := runDNSProbe(context.Background(), res, req)
	if len(resp.Results) != 3 {
		t.Fatalf("got %d results, want 3", len(resp.Results))
	}
	for i, r := range resp.Results {
		if r.Seq != i || !r.OK || r.ErrorKind != "" || !reflect.DeepEqual(r.Answers, []string{"10.0.0.1"}) || r.StartUnixMs <= 0 {
			t.Errorf("result %d = %+v", i, r)
		}
	}

	req = dnsProbeRequest{Name: "missing", Type: "A"}
	_ = req.normalize()
	r := runDNSProbe(context.Background(), res, req).Results[0]
	if r.OK || r.ErrorKind != kindNXDomain || r.Answers == nil || len(r.Answers) != 0 || r.Error == "" {
		t.Errorf("nxdomain result = %+v", r)
	}
}

func TestProbeDNSAPI(t *testing.T) {
	prober := startProber(t, fakeResolver{
		srvs: map[string][]*net.SRV{"_dns._udp.kube-dns": {{Target: "kube-dns.", Port: 53, Priority: 0, Weight: 100}}},
		err:  nil,
	})
	status, out := postURL(t, prober.URL+"/probe/dns", `{"name":"_dns._udp.kube-dns","type":"SRV","count":2}`)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, out)
	}
	var resp dnsProbeResponse
	mustUnmarshal(t, out, &resp)
	if len(resp.Results) != 2 || !reflect.DeepEqual(resp.Results[1].Answers, []string{"0 100 53 kube-dns."}) {
		t.Errorf("response = %s", out)
	}
	// Empty answers must serialise as [] so clients can iterate blindly.
	status, out = postURL(t, prober.URL+"/probe/dns", `{"name":"nothing","type":"CNAME"}`)
	if status != 200 || !strings.Contains(string(out), `"answers":[]`) || !strings.Contains(string(out), `"errorKind":"nxdomain"`) {
		t.Errorf("nxdomain response = %d %s", status, out)
	}

	timeoutProber := startProber(t, fakeResolver{err: &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}})
	_, out = postURL(t, timeoutProber.URL+"/probe/dns", `{"name":"x","timeoutMs":50}`)
	mustUnmarshal(t, out, &resp)
	if len(resp.Results) != 1 || resp.Results[0].ErrorKind != kindTimeout || resp.Type != "A" {
		t.Errorf("timeout response = %s", out)
	}
}

func TestProbeDNSValidation(t *testing.T) {
	prober := startProber(t, fakeResolver{})
	cases := []struct{ body, want string }{
		{`{}`, "name is required"},
		{`{"name":"x","type":"MX"}`, `type must be one of A, AAAA, SRV, CNAME, got "MX"`},
		{`{"name":"x","count":1001}`, "count must be between 1 and 1000"},
		{`{"name":"x","count":-1}`, "count must be between"},
		{`{"name":"x","timeoutMs":-1}`, "timeoutMs"},
		{`{"name":"` + strings.Repeat("a", 254) + `"}`, "at most 253"},
		{`{"name":"x","ttl":3}`, "unknown field"},
	}
	for _, tc := range cases {
		status, out := postURL(t, prober.URL+"/probe/dns", tc.body)
		var got map[string]string
		_ = json.Unmarshal(out, &got)
		if status != http.StatusBadRequest || !strings.Contains(got["error"], tc.want) {
			t.Errorf("body %.40s: got %d %s, want 400 containing %q", tc.body, status, out, tc.want)
		}
	}
}

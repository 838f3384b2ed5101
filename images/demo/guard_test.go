package main

import (
	"net"
	"strings"
	"testing"
)

func TestGuardAllowsOnlyListedNetworks(t *testing.T) {
	guard, err := parseGuard("10.244.0.0/16, 10.96.0.0/12,172.18.0.3/32")
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"10.244.1.7", "10.96.0.1", "10.111.2.3", "172.18.0.3"} {
		if !guard.allows(net.ParseIP(ip)) {
			t.Errorf("%s should be allowed", ip)
		}
	}
	for _, ip := range []string{"172.18.0.4", "8.8.8.8", "192.168.1.1", "10.245.0.1"} {
		if guard.allows(net.ParseIP(ip)) {
			t.Errorf("%s should be blocked", ip)
		}
	}
	err = guard.control("tcp4", "93.184.216.34:80", nil)
	if err == nil || !strings.Contains(err.Error(), "93.184.216.34 is not in ALLOWED_NETWORKS") {
		t.Fatalf("expected a blocked error naming the address, got %v", err)
	}
	if classifyTransportError(err) != kindBlocked {
		t.Fatalf("a blocked dial must be classified %q, got %q", kindBlocked, classifyTransportError(err))
	}
}

func TestGuardRejectsMalformedSpec(t *testing.T) {
	if _, err := parseGuard("10.0.0.0/8,not-a-cidr"); err == nil || !strings.Contains(err.Error(), `"not-a-cidr"`) {
		t.Fatalf("expected an error naming the bad part, got %v", err)
	}
}

func TestGuardDefaultsToLoopback(t *testing.T) {
	t.Setenv("ALLOWED_NETWORKS", "")
	guard, err := guardFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !guard.allows(net.ParseIP("127.0.0.1")) || guard.allows(net.ParseIP("10.0.0.1")) {
		t.Fatal("the default guard must allow loopback only")
	}
}

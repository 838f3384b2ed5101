package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRunRoles(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "kubequake-demo ") {
		t.Errorf("version: code %d, stdout %q", code, stdout.String())
	}
	stdout.Reset()
	if code := run([]string{"nonsense"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage: demo") || stdout.Len() != 0 {
		t.Errorf("unknown role: code %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := run(nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage: demo") {
		t.Errorf("no role: code %d, stderr %q", code, stderr.String())
	}
}

func TestProbeHTTPCLI(t *testing.T) {
	backend, _ := startBackend(t, testIdentity)
	var stdout, stderr bytes.Buffer
	code := run([]string{"probe-http", "--url", backend.URL, "--count", "3", "--concurrency", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var resp httpProbeResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	if len(resp.Results) != 3 || !resp.Results[2].OK || resp.Results[2].Pod != testIdentity.Pod {
		t.Errorf("CLI response = %s", stdout.String())
	}
}

func TestProbeCLIValidation(t *testing.T) {
	for _, args := range [][]string{
		{"probe-http", "--count", "3"},
		{"probe-http", "--url", "http://x/", "--count", "0"},
		{"probe-http", "--url", "http://x/", "stray"},
		{"probe-dns", "--name", "x", "--type", "TXT"},
		{"probe-dns"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 2 || stdout.Len() != 0 || stderr.Len() == 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 with a message", args, code, stdout.String(), stderr.String())
		}
	}
}

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxRequestBody bounds what the prober accepts as a command; probe requests
// are tiny, so anything bigger is a client bug.
const maxRequestBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg)
}

// decodeJSONBody decodes exactly one JSON object into dst. Unknown fields are
// rejected because a misspelt option (say "timeout_ms") would otherwise
// silently run a probe with defaults and produce misleading results.
func decodeJSONBody(w http.ResponseWriter, r *http.Request, dst any, example string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("expected a JSON object like %s, got an empty body", example)
		}
		return fmt.Errorf("expected a JSON object like %s: %w", example, err)
	}
	if dec.More() {
		return fmt.Errorf("expected a single JSON object like %s, got trailing data", example)
	}
	return nil
}

func requirePost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	writeJSONError(w, http.StatusMethodNotAllowed,
		fmt.Sprintf("expected POST %s with a JSON body, got %s", r.URL.Path, r.Method))
	return false
}

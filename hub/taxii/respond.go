package taxii

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// Media types (TAXII 2.1 section 1.6.8).
const (
	MediaTAXII = "application/taxii+json;version=2.1"
	MediaSTIX  = "application/stix+json;version=2.1"
)

// apiError is the TAXII error message resource (section 3.6.1).
type apiError struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	ErrorCode   string `json:"error_code,omitempty"`
	HTTPStatus  string `json:"http_status"`
	status      int
}

func errorf(status int, code, title, description string) *apiError {
	return &apiError{Title: title, Description: description, ErrorCode: code, HTTPStatus: itoa(status), status: status}
}

func (e *apiError) Error() string { return e.Title + ": " + e.Description }

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	writeBody(w, status, b)
}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", MediaTAXII)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="geneva", Bearer realm="geneva"`)
	}
	writeJSON(w, e.status, e)
}

// acceptable says whether an Accept header lets us answer with the TAXII
// 2.1 media type: absent, a wildcard, or application/taxii+json with
// version 2.1 or no version.
func acceptable(accept string) bool {
	if accept == MediaTAXII { // what clients send: no need to parse it
		return true
	}
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*":
			return true
		case "application/taxii+json":
			if v, ok := params["version"]; !ok || v == "2.1" {
				return true
			}
		}
	}
	return false
}

// postable says whether a POST's Content-Type is the TAXII envelope.
func postable(contentType string) bool {
	if contentType == MediaTAXII {
		return true
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/taxii+json" {
		return false
	}
	v, ok := params["version"]
	return !ok || v == "2.1"
}

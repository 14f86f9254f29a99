package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/genevahub/geneva/connectors"
)

// client speaks just enough TAXII 2.1 for the connector.
type client struct {
	srv  Server
	http *http.Client
}

func newClient(s Server) *client {
	return &client{srv: s, http: &http.Client{Timeout: time.Duration(s.Timeout)}}
}

// do sends a request and decodes a 2xx JSON answer into out.
func (c *client) do(ctx context.Context, method, url string, body []byte, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", mediaTAXII)
	if body != nil {
		req.Header.Set("Content-Type", mediaTAXII)
	}
	switch {
	case c.srv.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.srv.Token)
	case c.srv.Username != "":
		req.SetBasicAuth(c.srv.Username, c.srv.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, clip(data))
		if method == "POST" && connectors.RefusesEnvelope(resp.StatusCode) {
			return nil, connectors.Rejected(err)
		}
		return nil, err
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("%s %s: answer is not TAXII JSON: %w", method, url, err)
		}
	}
	return resp.Header, nil
}

func (c *client) objectsURL() string {
	return c.srv.URL + "collections/" + c.srv.Collection + "/objects/"
}

func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// status is the TAXII status resource.
type status struct {
	ID           string `json:"id"`
	Status       string `json:"status"` // complete, pending
	TotalCount   int    `json:"total_count"`
	SuccessCount int    `json:"success_count"`
	FailureCount int    `json:"failure_count"`
	PendingCount int    `json:"pending_count"`
	Failures     []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"failures"`
}

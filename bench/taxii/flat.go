package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// measureFlat fills one hub's collection to each size in turn and times,
// at each, a whole poll (100 per page with next) and the newest page
// (added_after the date_added before it): the cost of a page must not grow
// with the collection.
func measureFlat(sizes []int) error {
	s, err := startHub()
	if err != nil {
		return err
	}
	defer s.stop()
	fmt.Printf("\n| hub inbox size | whole poll (obj/s) | newest page of 100, median of 20 (ms) |\n|---:|---:|---:|\n")
	have := 0
	for _, size := range sizes {
		for ; have < size; have += min(100, size-have) {
			if _, err := post(s, indicators(min(100, size-have)), min(100, size-have), false); err != nil {
				return err
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err := s.visible(ctx, size)
		cancel()
		if err != nil {
			return err
		}
		start := time.Now()
		n, ends, err := pageEnds(s)
		if err != nil {
			return err
		}
		whole := float64(n) / time.Since(start).Seconds()
		if len(ends) < 2 {
			return fmt.Errorf("%d pages: fill more than 100 objects", len(ends))
		}
		var took []time.Duration
		for range 20 {
			req, _ := http.NewRequest("GET", s.poll+"objects/?limit=100&added_after="+url.QueryEscape(ends[len(ends)-2]), nil)
			start := time.Now()
			b, err := do(req, s.pollAuth)
			if err != nil {
				return err
			}
			took = append(took, time.Since(start))
			var env struct{ Objects []json.RawMessage }
			if err := json.Unmarshal(b, &env); err != nil || len(env.Objects) != 100 {
				return fmt.Errorf("newest page: %d objects (%v), want 100", len(env.Objects), err)
			}
		}
		slices.Sort(took)
		fmt.Printf("| %d | %.0f | %.2f |\n", n, whole, float64(took[len(took)/2].Microseconds())/1000)
	}
	return nil
}

// pageEnds polls the whole collection 100 per page with next, and lists
// each page's X-TAXII-Date-Added-Last.
func pageEnds(s *server) (n int, ends []string, err error) {
	next := ""
	for {
		u := s.poll + "objects/?limit=100"
		if next != "" {
			u += "&next=" + url.QueryEscape(next)
		}
		var env struct {
			More    bool
			Next    string
			Objects []json.RawMessage
		}
		last, err := pollPage(s, u, &env)
		if err != nil {
			return n, ends, err
		}
		n += len(env.Objects)
		ends = append(ends, last)
		if !env.More {
			return n, ends, nil
		}
		next = env.Next
	}
}

// pollPage GETs one page of the polled collection into env and returns
// its X-TAXII-Date-Added-Last.
func pollPage(s *server, u string, env any) (dateAddedLast string, err error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", media)
	s.pollAuth(req)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return resp.Header.Get("X-TAXII-Date-Added-Last"), json.NewDecoder(resp.Body).Decode(env)
}

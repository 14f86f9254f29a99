package taxii

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Member is what the server needs to know of a member under the MoU in
// force.
type Member struct {
	ID          string
	Suspended   bool
	Communities []string
	Peers       []string // the other active members, which it may name with --to
}

// Audience is a submission's addressing, as geneva submit's --to,
// --community and --anonymous.
type Audience struct {
	To        []string
	Community string
	Anonymous bool
}

// Backend is the hub as the TAXII server sees it.
type Backend interface {
	// Member is member id under the MoU in force.
	Member(id string) (Member, bool)
	// Inbox is what policy routes to member: its inbox consumer's
	// filters on GENEVA_SHARE and its creation.
	Inbox(ctx context.Context, member string) (Inbox, error)
	// Submit stores bundle in member's intake with Nats-Msg-Id msgID, as
	// if member had published it over NATS.
	Submit(ctx context.Context, member, msgID string, bundle []byte, to Audience) error
}

// Config is the server's setup.
type Config struct {
	Backend  Backend
	Tokens   *Tokens
	Share    jetstream.Stream // GENEVA_SHARE
	Receipts jetstream.Stream // GENEVA_RECEIPT
	// Statuses keeps POSTs' statuses across restarts (entries expire
	// after 24 h); nil: in memory only. Conn is the connection Statuses
	// uses. ReceiptSubject is a member's subject in Receipts.
	Statuses       jetstream.KeyValue
	Conn           *nats.Conn
	ReceiptSubject func(member string) string
	ScopeOf        func(subject string) string
	// MaxContentLength is the largest POST body (the hub's max_payload).
	MaxContentLength int
	// SyncWait is how long a POST waits for the decision before answering
	// with a pending status (default 5 s).
	SyncWait time.Duration
	Limits   Limits
	Metrics  *Metrics // nil: none
	Log      *slog.Logger
}

// Server is the TAXII 2.1 HTTP API.
type Server struct {
	cfg      Config
	index    *Index
	statuses *statuses
	store    *statusStore // nil: statuses in memory only
	limiter  *limiter
	mux      *http.ServeMux
}

// Prefix is where the server is mounted on the hub's HTTP listener.
const Prefix = "/taxii2/"

// New starts following GENEVA_SHARE and GENEVA_RECEIPT until ctx is done
// and returns the handler for Prefix.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.SyncWait == 0 {
		cfg.SyncWait = 5 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, index: NewIndex(cfg.ScopeOf), statuses: newStatuses(), limiter: newLimiter(cfg.Limits)}
	if cfg.Statuses != nil {
		if cfg.Conn == nil {
			return nil, errors.New("taxii: Statuses without the Conn that reaches them")
		}
		s.store = &statusStore{kv: cfg.Statuses, receipts: cfg.Receipts, subject: cfg.ReceiptSubject, nc: cfg.Conn, log: cfg.Log}
		if err := s.store.followAcks(ctx); err != nil {
			return nil, fmt.Errorf("taxii: status acks: %w", err)
		}
	}
	if err := s.index.Follow(ctx, cfg.Share); err != nil {
		return nil, fmt.Errorf("taxii: follow shares: %w", err)
	}
	if err := s.statuses.follow(ctx, cfg.Receipts); err != nil {
		return nil, fmt.Errorf("taxii: follow receipts: %w", err)
	}
	m := http.NewServeMux()
	root := Prefix + "{root}/"
	coll := root + "collections/{coll}/"
	// {$}: a pattern ending in a slash would otherwise match every path below it.
	s.handle(m, "GET "+Prefix+"{$}", "discovery", s.discovery)
	s.handle(m, "GET "+root+"{$}", "api_root", s.apiRoot)
	s.handle(m, "GET "+root+"collections/{$}", "collections", s.collections)
	s.handle(m, "GET "+coll+"{$}", "collection", s.collection)
	s.handle(m, "GET "+coll+"objects/{$}", "objects", s.getObjects)
	s.handle(m, "POST "+coll+"objects/{$}", "add_objects", s.addObjects)
	s.handle(m, "GET "+coll+"objects/{id}/{$}", "object", s.getObject)
	s.handle(m, "DELETE "+coll+"objects/{id}/{$}", "delete_object", s.deleteObject)
	s.handle(m, "GET "+coll+"objects/{id}/versions/{$}", "versions", s.getVersions)
	s.handle(m, "GET "+coll+"manifest/{$}", "manifest", s.getManifest)
	s.handle(m, "GET "+root+"status/{id}/{$}", "status", s.getStatus)
	s.mux = m
	return s, nil
}

// ServeHTTP answers everything under Prefix; what no route matches gets
// the TAXII error resource.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		s.cfg.Metrics.request("", "unknown", http.StatusNotFound)
		writeError(w, errorf(http.StatusNotFound, "not_found", "Not found", r.Method+" "+r.URL.Path+" is not a TAXII 2.1 endpoint of this server (paths end with a slash)"))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// request is an authenticated request to one endpoint.
type request struct {
	*http.Request
	member Member
}

type handler func(w http.ResponseWriter, r *request) *apiError

// handle authenticates, checks the media types, the API root and the
// member's rate, and counts the answer.
func (s *Server) handle(m *http.ServeMux, pattern, endpoint string, h handler) {
	m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		mem, err := s.authenticate(r)
		if err == nil && !acceptable(r.Header.Get("Accept")) {
			err = errorf(http.StatusNotAcceptable, "not_acceptable", "Not acceptable", "this server answers "+MediaTAXII)
		}
		if err == nil && r.PathValue("root") != "" && r.PathValue("root") != mem.ID {
			err = errorf(http.StatusForbidden, "forbidden", "Forbidden", "API root "+r.PathValue("root")+" is not yours; yours is "+Prefix+mem.ID+"/")
		}
		if err == nil && !s.limiter.allow(mem.ID) {
			w.Header().Set("Retry-After", "1")
			err = errorf(http.StatusTooManyRequests, "rate_limited", "Too many requests", fmt.Sprintf("member %s: more than %g requests per second", mem.ID, s.limiter.rate))
		}
		if err == nil {
			err = h(w, &request{Request: r, member: mem})
		}
		status := http.StatusOK
		if err != nil {
			status = err.status
			writeError(w, err)
			if err.status >= 500 {
				s.cfg.Log.Error("taxii", "member", mem.ID, "endpoint", endpoint, "err", err.Description)
			}
		} else if endpoint == "add_objects" {
			status = http.StatusAccepted
		}
		s.cfg.Metrics.request(mem.ID, endpoint, status)
	})
}

// authenticate finds the member of a request: a token as Bearer (or
// taxii2-client's "Token"), or HTTP Basic with the member id as user and
// the token as password, or a client certificate the hub's http_tls CA
// verified, whose CN is the member id. A token and a certificate together
// must name the same member. Suspended and unknown members are refused.
func (s *Server) authenticate(r *http.Request) (Member, *apiError) {
	unauthorized := func(why string) (Member, *apiError) {
		return Member{}, errorf(http.StatusUnauthorized, "unauthorized", "Unauthorized", why)
	}
	var token, user string
	h := r.Header.Get("Authorization")
	if u, p, ok := r.BasicAuth(); ok {
		token, user = p, u
	} else if scheme, t, ok := strings.Cut(h, " "); ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Token")) {
		token = strings.TrimSpace(t)
	}
	certified := certMember(r)
	id := certified
	switch {
	case token != "":
		ti, ok := s.cfg.Tokens.Lookup(token)
		if !ok || (user != "" && user != ti.Member) {
			return unauthorized("unknown or revoked token")
		}
		if certified != "" && certified != ti.Member {
			return unauthorized("the token is not the member's of the client certificate (" + certified + ")")
		}
		id = ti.Member
	case certified == "":
		return unauthorized("give a member's TAXII token as Authorization: Bearer TOKEN, or as the password of HTTP Basic with the member id as user")
	case user != "" && user != certified:
		return unauthorized("user " + user + " is not the member of the client certificate (" + certified + ")")
	}
	m, ok := s.cfg.Backend.Member(id)
	if !ok {
		return unauthorized("member " + id + " is not in the MoU in force")
	}
	if m.Suspended {
		return Member{ID: m.ID}, errorf(http.StatusForbidden, "suspended", "Forbidden", "member "+m.ID+" is suspended")
	}
	return m, nil
}

// certMember is the member a verified client certificate names (its
// subject's CN), or "". Only a chain the TLS handshake verified against
// the hub's http_tls CA counts; a certificate merely presented does not.
func certMember(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
		return ""
	}
	return r.TLS.VerifiedChains[0][0].Subject.CommonName
}

func (s *Server) discovery(w http.ResponseWriter, r *request) *apiError {
	root := baseURL(r.Request) + Prefix + r.member.ID + "/"
	writeJSON(w, http.StatusOK, map[string]any{
		"title":       "Geneva hub",
		"description": "What policy routed to member " + r.member.ID + ", and its submissions",
		"default":     root, "api_roots": []string{root},
	})
	return nil
}

// baseURL is the scheme and host the client used.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func (s *Server) apiRoot(w http.ResponseWriter, r *request) *apiError {
	writeJSON(w, http.StatusOK, map[string]any{
		"title":              "Geneva: member " + r.member.ID,
		"description":        "Collections: inbox (read), community-<name> (read), submit... (write); see docs/taxii.md",
		"versions":           []string{MediaTAXII},
		"max_content_length": s.cfg.MaxContentLength,
	})
	return nil
}

func (s *Server) collections(w http.ResponseWriter, r *request) *apiError {
	writeJSON(w, http.StatusOK, map[string]any{"collections": listCollections(r.member)})
	return nil
}

func (s *Server) collection(w http.ResponseWriter, r *request) *apiError {
	c, err := findCollection(r.member, r.PathValue("coll"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c.resource())
	return nil
}

// readable is the snapshot of a readable collection.
func (s *Server) readable(r *request) (*snapshot, *apiError) {
	c, err := findCollection(r.member, r.PathValue("coll"))
	if err != nil {
		return nil, err
	}
	if !c.read {
		return nil, errorf(http.StatusForbidden, "not_readable", "Forbidden", "collection "+c.id+" is write-only: read inbox or community-<name>")
	}
	inbox, ierr := s.cfg.Backend.Inbox(r.Context(), r.member.ID)
	if ierr != nil {
		return nil, errorf(http.StatusServiceUnavailable, "unavailable", "Unavailable", "the member's inbox: "+ierr.Error())
	}
	return s.index.collection(r.member.ID, inbox, c.scope), nil
}

func badQuery(err error) *apiError {
	return errorf(http.StatusBadRequest, "bad_parameter", "Bad request", err.Error())
}

func (s *Server) getObjects(w http.ResponseWriter, r *request) *apiError {
	return s.objectsPage(w, r, func(snap *snapshot, q query) page { return snap.selectPage(q, snap.c.refs) }, "last")
}

func (s *Server) getObject(w http.ResponseWriter, r *request) *apiError {
	id := r.PathValue("id")
	return s.objectsPage(w, r, func(snap *snapshot, q query) page { return snap.selectPage(q, snap.byID(id)) }, "last")
}

// objectsPage answers an objects query with an envelope.
func (s *Server) objectsPage(w http.ResponseWriter, r *request, sel func(*snapshot, query) page, version string) *apiError {
	q, err := parseQuery(r.URL.Query(), version)
	if err != nil {
		return badQuery(err)
	}
	snap, aerr := s.readable(r)
	if aerr != nil {
		return aerr
	}
	p := sel(snap, q)
	entries := make([]entry, len(p.refs))
	for i, ref := range p.refs {
		entries[i] = *snap.entry(ref)
	}
	snap.release()
	if r.PathValue("id") != "" && len(entries) == 0 {
		return errorf(http.StatusNotFound, "not_found", "Not found", "no object "+r.PathValue("id")+" in collection "+r.PathValue("coll")+" matches")
	}
	body, n, ferr := s.envelope(r.Context(), entries, p)
	if ferr != nil {
		return errorf(http.StatusServiceUnavailable, "unavailable", "Unavailable", "reading objects: "+ferr.Error())
	}
	dateHeaders(w, entries)
	s.cfg.Metrics.objects(r.member.ID, "objects", n)
	writeBody(w, http.StatusOK, body)
	return nil
}

func dateHeaders(w http.ResponseWriter, entries []entry) {
	if len(entries) > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", formatTime(entries[0].added))
		w.Header().Set("X-TAXII-Date-Added-Last", formatTime(entries[len(entries)-1].added))
	}
}

// envelope writes {"more":…,"next":…,"objects":[…]} with each object's
// bytes as stored (no re-encoding); an empty page is {}.
func (s *Server) envelope(ctx context.Context, entries []entry, p page) ([]byte, int, error) {
	if len(entries) == 0 {
		return []byte("{}"), 0, nil
	}
	b := make([]byte, 0, 64+512*len(entries))
	b = append(b, `{"more":`...)
	b = strconv.AppendBool(b, p.more)
	if p.next != "" {
		b = append(b, `,"next":`...)
		b = strconv.AppendQuote(b, p.next)
	}
	b = append(b, `,"objects":[`...)
	var msgSeq uint64
	var objs [][]byte
	n := 0
	for _, e := range entries {
		if e.seq != msgSeq || objs == nil {
			m, err := s.cfg.Share.GetMsg(ctx, e.seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				continue // aged out of the stream since the index saw it
			}
			if err != nil {
				return nil, 0, err
			}
			if objs, err = splitObjects(m.Data); err != nil {
				return nil, 0, err
			}
			msgSeq = e.seq
		}
		if e.idx >= len(objs) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, objs[e.idx]...)
		n++
	}
	return append(b, "]}"...), n, nil
}

func (s *Server) getVersions(w http.ResponseWriter, r *request) *apiError {
	q, err := parseQuery(r.URL.Query(), "all")
	if err != nil {
		return badQuery(err)
	}
	q.version, q.versions = "all", nil // match[version] does not apply here
	snap, aerr := s.readable(r)
	if aerr != nil {
		return aerr
	}
	p := snap.selectVersions(q, snap.versionsOf(r.PathValue("id")))
	entries := make([]entry, len(p.refs))
	for i, ref := range p.refs {
		entries[i] = *snap.entry(ref)
	}
	snap.release()
	if len(entries) == 0 {
		return errorf(http.StatusNotFound, "not_found", "Not found", "no object "+r.PathValue("id")+" in collection "+r.PathValue("coll"))
	}
	versions := make([]string, len(entries))
	for i, e := range entries {
		versions[i] = e.version
	}
	res := map[string]any{"more": p.more, "versions": versions}
	if p.next != "" {
		res["next"] = p.next
	}
	// Ordered by version, so the first and last added are not the ends.
	byAdded := slices.Clone(entries)
	slices.SortFunc(byAdded, func(a, b entry) int { return a.added.Compare(b.added) })
	dateHeaders(w, byAdded)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) getManifest(w http.ResponseWriter, r *request) *apiError {
	q, err := parseQuery(r.URL.Query(), "last")
	if err != nil {
		return badQuery(err)
	}
	snap, aerr := s.readable(r)
	if aerr != nil {
		return aerr
	}
	p := snap.selectPage(q, snap.c.refs)
	entries := make([]entry, len(p.refs))
	records := make([]map[string]string, len(p.refs))
	for i, ref := range p.refs {
		e := snap.entry(ref)
		entries[i] = *e
		records[i] = map[string]string{"id": e.id, "date_added": formatTime(e.added), "version": e.version, "media_type": MediaSTIX}
	}
	snap.release()
	dateHeaders(w, entries)
	if len(records) == 0 {
		writeBody(w, http.StatusOK, []byte("{}"))
		return nil
	}
	res := map[string]any{"more": p.more, "objects": records}
	if p.next != "" {
		res["next"] = p.next
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) deleteObject(w http.ResponseWriter, r *request) *apiError {
	return errorf(http.StatusForbidden, "read_only", "Forbidden", "what policy routed to a member cannot be deleted through TAXII")
}

// addObjects submits the envelope as a bundle by the member, addressed by
// the collection, and answers with the status once the hub decided (held
// for review, or nothing yet after SyncWait or the wait the client
// prefers: pending). Whatever the wait, the answer comes after the
// intake's PubAck, and a pending status is stored before it is given.
func (s *Server) addObjects(w http.ResponseWriter, r *request) *apiError {
	c, aerr := findCollection(r.member, r.PathValue("coll"))
	if aerr != nil {
		return aerr
	}
	if !c.write {
		return errorf(http.StatusForbidden, "not_writable", "Forbidden", "collection "+c.id+" is read-only: POST to submit, submit-to-<member>, submit-community-<name> or submit-anonymous")
	}
	if !postable(r.Header.Get("Content-Type")) {
		return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "Unsupported media type", "POST a TAXII envelope as "+MediaTAXII)
	}
	if !s.limiter.allowBytes(r.member.ID, r.ContentLength) {
		return errorf(http.StatusTooManyRequests, "rate_limited", "Too many requests", fmt.Sprintf("member %s: more than %d bytes per second", r.member.ID, s.limiter.cfg.BytesPerSecond))
	}
	limit := int64(s.cfg.MaxContentLength)
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "Request entity too large", fmt.Sprintf("the envelope is larger than max_content_length (%d bytes)", limit))
	case err != nil:
		return errorf(http.StatusBadRequest, "bad_body", "Bad request", "reading the body: "+err.Error())
	}
	bundle, objects, perr := bundleOf(data)
	if perr != nil {
		return errorf(http.StatusBadRequest, "bad_envelope", "Bad request", perr.Error())
	}
	if len(bundle) > int(limit) {
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "Request entity too large", fmt.Sprintf("the bundle is larger than max_content_length (%d bytes)", limit))
	}
	st := &status{id: newUUID(), member: r.member.ID, requested: time.Now().UTC(), objects: objects, decided: make(chan struct{})}
	s.statuses.add(st)
	wait, applied := s.decisionWait(r.Header)
	var saved <-chan error
	if wait == 0 {
		saved = s.storeStatus(st, true) // the answer will be pending: stored beside the submission, not after it
	}
	if err := s.cfg.Backend.Submit(r.Context(), r.member.ID, MsgID(st.id), bundle, c.audience); err != nil {
		return errorf(http.StatusServiceUnavailable, "unavailable", "Unavailable", "storing the submission: "+err.Error())
	}
	s.cfg.Metrics.objects(r.member.ID, "add_objects", len(objects))
	if wait > 0 {
		timer := time.NewTimer(wait)
		select {
		case <-st.decided:
		case <-timer.C:
		case <-r.Context().Done():
		}
		timer.Stop()
	}
	switch {
	case !st.final():
		// The client will ask for this status again, maybe of a restarted
		// hub: it is stored before it is given.
		if saved == nil {
			saved = s.storeStatus(st, true)
		}
		if err := s.awaitStatus(st.id, saved); err != nil { // the submission is stored: only its status may be lost, in a restart
			s.cfg.Log.Warn("taxii: storing a status", "member", r.member.ID, "status", st.id, "err", err)
		}
	case saved == nil:
		// A final status is given whole now; its copy is stored within
		// milliseconds, for a client asking again later.
		s.storeStatus(st, false)
	case s.store != nil: // decided before the answer, though the client did not wait
		s.store.release(st.id, saved)
	}
	if applied != "" {
		w.Header().Set("Preference-Applied", applied)
	}
	writeBody(w, http.StatusAccepted, st.resource())
	return nil
}

func (s *Server) getStatus(w http.ResponseWriter, r *request) *apiError {
	st := s.statuses.get(r.PathValue("id"))
	if st == nil {
		var err error
		if st, err = s.loadStatus(r.Context(), r.member.ID, r.PathValue("id")); err != nil {
			return errorf(http.StatusServiceUnavailable, "unavailable", "Unavailable", "reading status "+r.PathValue("id")+": "+err.Error())
		}
	}
	if st == nil || st.member != r.member.ID {
		return errorf(http.StatusNotFound, "not_found", "Not found", "no status "+r.PathValue("id")+" for member "+r.member.ID+" (statuses are kept 24 h)")
	}
	writeBody(w, http.StatusOK, st.resource())
	return nil
}

// storeStatus stores st in the status bucket, if there is one; with
// wait, awaitStatus says how it went.
func (s *Server) storeStatus(st *status, wait bool) <-chan error {
	if s.store == nil {
		return nil
	}
	return s.store.record(st, wait)
}

func (s *Server) awaitStatus(id string, saved <-chan error) error {
	if s.store == nil {
		return nil
	}
	return s.store.await(id, saved)
}

// loadStatus reads member's status id, answered by a previous hub
// process, from the status bucket, with its receipts, and keeps it in
// memory from then on (where the receipt follower completes it, if it is
// still pending). Another member's status is not read further.
func (s *Server) loadStatus(ctx context.Context, member, id string) (*status, error) {
	if s.store == nil {
		return nil, nil
	}
	st, err := s.store.load(ctx, id)
	if st == nil || err != nil || st.member != member {
		return nil, err
	}
	st = s.statuses.add(st)
	return st, s.store.findReceipts(ctx, st)
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:], b[10:])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}

func itoa(n int) string { return strconv.Itoa(n) }

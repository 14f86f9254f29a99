package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// The operator's review queue: the submissions policy held for a person,
// approved or rejected exactly as `geneva admin review` does, the signed-in
// operator named as the reviewer in the audit and the sender's receipt.

func canReview(r Role) bool { return r == RoleOperator }

const reviewTimeout = 30 * time.Second

type reviewData struct {
	Held    []Held
	Shown   *Held
	Bundle  string
	Receipt *Receipt
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request, sess session) {
	s.renderReview(w, r, sess, http.StatusOK, reviewData{})
}

// renderReview shows the queue as it is now, with data's other parts.
func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, sess session, status int, data reviewData, errs ...string) {
	ctx, cancel := context.WithTimeout(r.Context(), reviewTimeout)
	defer cancel()
	res, err := s.cfg.Backend.Review(ctx, "list", "", sess.user, "")
	if err != nil {
		s.cfg.Log.Error("portal: review list", "err", err)
		errs = append(errs, "The hub could not read the review queue: "+err.Error())
	}
	data.Held = res.Held
	s.render(w, sess, status, "review.html", "Review queue", data, errs...)
}

// showHeld shows one held submission's bundle, to decide on.
func (s *Server) showHeld(w http.ResponseWriter, r *http.Request, sess session) {
	ctx, cancel := context.WithTimeout(r.Context(), reviewTimeout)
	defer cancel()
	res, err := s.cfg.Backend.Review(ctx, "show", r.URL.Query().Get("submission"), sess.user, "")
	if err != nil || len(res.Held) != 1 {
		s.renderReview(w, r, sess, http.StatusNotFound, reviewData{}, "Not in the queue: "+errText(err))
		return
	}
	var pretty bytes.Buffer
	_ = json.Indent(&pretty, res.Bundle, "", "  ")
	s.renderReview(w, r, sess, http.StatusOK, reviewData{Shown: &res.Held[0], Bundle: pretty.String()})
}

// settleHeld approves or rejects a held submission.
func (s *Server) settleHeld(w http.ResponseWriter, r *http.Request, sess session) {
	action, id := r.PostForm.Get("action"), r.PostForm.Get("submission")
	if action != "approve" && action != "reject" {
		s.renderReview(w, r, sess, http.StatusUnprocessableEntity, reviewData{}, "Action: choose approve or reject")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), reviewTimeout)
	defer cancel()
	res, err := s.cfg.Backend.Review(ctx, action, id, sess.user, strings.TrimSpace(r.PostForm.Get("note")))
	if err != nil {
		s.renderReview(w, r, sess, http.StatusConflict, reviewData{}, "Not settled: "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: reviewed", "submission", id, "action", action, "by", sess.user)
	var rc Receipt
	if err := json.Unmarshal(res.Receipt, &rc); err != nil {
		s.renderReview(w, r, sess, http.StatusOK, reviewData{}, "Settled; the receipt could not be read: "+err.Error())
		return
	}
	s.renderReview(w, r, sess, http.StatusOK, reviewData{Receipt: &rc})
}

func errText(err error) string {
	if err == nil {
		return "no such submission"
	}
	return err.Error()
}

package portal

import (
	"errors"
	"net/http"
	"slices"
)

// A member admin invites and removes its own member's people. It can give
// no one the operator's role and touch no other member's account.

// memberRoles are the roles a member admin may give.
var memberRoles = []Role{RoleReporter, RoleAnalyst, RoleMemberAdmin}

func canAdmin(r Role) bool { return r == RoleMemberAdmin }

type peopleData struct {
	People []UserInfo
	Roles  []Role
	New    *NewAccount
}

func (s *Server) people(w http.ResponseWriter, r *http.Request, sess session) {
	s.renderPeople(w, r, sess, http.StatusOK, nil)
}

func (s *Server) renderPeople(w http.ResponseWriter, r *http.Request, sess session, status int, added *NewAccount, errs ...string) {
	list, err := s.cfg.Users.List(r.Context(), sess.member)
	if err != nil {
		s.cfg.Log.Error("portal: list people", "member", sess.member, "err", err)
		errs = append(errs, "The hub could not list your people; try again.")
	}
	s.render(w, sess, status, "people.html", "People", peopleData{People: list, Roles: memberRoles, New: added}, errs...)
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, sess session) {
	role := Role(r.PostForm.Get("role"))
	if !slices.Contains(memberRoles, role) {
		s.renderPeople(w, r, sess, http.StatusUnprocessableEntity, nil, "Role: choose reporter, analyst or member-admin")
		return
	}
	acc, err := s.cfg.Users.Add(r.Context(), r.PostForm.Get("name"), sess.member, role)
	if err != nil {
		s.renderPeople(w, r, sess, http.StatusUnprocessableEntity, nil, "User name: "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: account added", "user", acc.User, "member", sess.member, "role", role, "by", sess.user)
	s.renderPeople(w, r, sess, http.StatusOK, &acc)
}

func (s *Server) removePerson(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PostForm.Get("name")
	if !s.ownPerson(w, r, sess, name) {
		return
	}
	if name == sess.user {
		s.renderPeople(w, r, sess, http.StatusUnprocessableEntity, nil, "You cannot remove yourself; ask another member admin or the hub operator.")
		return
	}
	if err := s.cfg.Users.Remove(r.Context(), name); err != nil {
		s.renderPeople(w, r, sess, http.StatusServiceUnavailable, nil, "Not removed: "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: account removed", "user", name, "member", sess.member, "by", sess.user)
	s.renderPeople(w, r, sess, http.StatusOK, nil)
}

// signOutPerson ends every session of one of the member's people (a lost
// laptop, a departure pending removal).
func (s *Server) signOutPerson(w http.ResponseWriter, r *http.Request, sess session) {
	name := r.PostForm.Get("name")
	if !s.ownPerson(w, r, sess, name) {
		return
	}
	if err := s.cfg.Users.SignOutEverywhere(r.Context(), name); err != nil {
		s.renderPeople(w, r, sess, http.StatusServiceUnavailable, nil, "Not signed out: "+err.Error())
		return
	}
	s.cfg.Log.Info("portal: sessions ended", "user", name, "member", sess.member, "by", sess.user)
	s.renderPeople(w, r, sess, http.StatusOK, nil)
}

// ownPerson reports whether name is one of the member's people, showing
// the People page with the reason when it is not.
func (s *Server) ownPerson(w http.ResponseWriter, r *http.Request, sess session, name string) bool {
	u, _, err := s.cfg.Users.Get(r.Context(), name)
	switch {
	case errors.Is(err, ErrNoUser) || (err == nil && u.Member != sess.member):
		s.renderPeople(w, r, sess, http.StatusNotFound, nil, "No such person in your member: "+name)
	case err != nil:
		s.renderPeople(w, r, sess, http.StatusServiceUnavailable, nil, "The hub could not read the account; try again.")
	default:
		return true
	}
	return false
}

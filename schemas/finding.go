package schemas

// Severity separates MUST-level errors from SHOULD-level warnings.
type Severity uint8

const (
	SeverityError Severity = iota
	SeverityWarning
)

// Finding is one problem found in a document.
type Finding struct {
	Severity Severity `json:"-"`
	Object   int      `json:"-"`       // index into Document.Objects; -1 for the document as a whole
	Pointer  string   `json:"pointer"` // RFC 6901 JSON pointer into the document
	Rule     string   `json:"rule"`    // stable rule name, e.g. "timestamp.order"
	Message  string   `json:"message"` // a plain sentence, lower-case, no trailing period
}

// Report holds every finding of one validation.
type Report struct {
	Errors   []Finding
	Warnings []Finding
}

// Valid reports whether the document had no errors.
func (r *Report) Valid() bool { return len(r.Errors) == 0 }

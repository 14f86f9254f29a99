package pattern

import "iter"

// Inspect visits every node of the pattern depth-first in source order:
// each ObservationExpression and each ComparisonExpression. If visit
// returns false, the node's children are skipped.
func (p *Pattern) Inspect(visit func(node any) bool) {
	inspectObservation(p.Expr, visit)
}

func inspectObservation(e ObservationExpression, visit func(any) bool) {
	if e == nil || !visit(e) {
		return
	}
	switch e := e.(type) {
	case *Observation:
		inspectComparison(e.Expr, visit)
	case *Group:
		inspectObservation(e.Expr, visit)
	case *ObservationOp:
		for _, o := range e.Operands {
			inspectObservation(o, visit)
		}
	case *Qualified:
		inspectObservation(e.Expr, visit)
	}
}

func inspectComparison(e ComparisonExpression, visit func(any) bool) {
	if e == nil || !visit(e) {
		return
	}
	if op, ok := e.(*ComparisonOp); ok {
		for _, o := range op.Operands {
			inspectComparison(o, visit)
		}
	}
}

// Comparisons yields every comparison of the pattern in source order, e.g.
// to check each object path against the STIX data model.
func (p *Pattern) Comparisons() iter.Seq[*Comparison] {
	return func(yield func(*Comparison) bool) {
		stopped := false
		p.Inspect(func(n any) bool {
			if stopped {
				return false
			}
			if c, ok := n.(*Comparison); ok && !yield(c) {
				stopped = true
			}
			return !stopped
		})
	}
}

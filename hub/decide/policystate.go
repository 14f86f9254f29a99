package decide

import (
	"sync"

	"github.com/genevahub/geneva/policy"
)

// PolicyState is the MoU in force and its engine, swapped whole on reload
// while workers keep deciding.
type PolicyState struct {
	mu     sync.RWMutex
	mou    *policy.MoU
	engine *policy.Engine
}

// MoU is the MoU in force.
func (p *PolicyState) MoU() *policy.MoU {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.mou
}

// Engine decides under the MoU in force.
func (p *PolicyState) Engine() *policy.Engine {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.engine
}

func (p *PolicyState) Set(mou *policy.MoU, engine *policy.Engine) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mou, p.engine = mou, engine
}

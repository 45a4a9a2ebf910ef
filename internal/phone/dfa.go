package phone

import (
	"regexp/syntax"
	"slices"
	"sync"
)

// matcher runs several regular expressions over a string of ASCII digits
// in one pass and reports which of them match: an expression written
// "^(?:p)$" matches when it matches the whole string, one written "^(?:p)"
// when it matches a prefix, as regexp's MatchString would say. The
// expressions are parsed and compiled by regexp/syntax exactly as regexp
// compiles them; only the simulation differs: a DFA whose states (sets of
// the programs' instructions) are built on first use and then cost one
// table lookup per digit.
//
// A matcher is safe for concurrent use. It holds at most maxStates
// states; past that, run reports ok false and the caller asks the
// library instead.
type matcher struct {
	progs []*syntax.Prog

	mu     sync.RWMutex
	states []dstate
	index  map[string]int32 // state by the key of its instruction set
}

// dstate is a DFA state: the instructions (expression<<16 | pc) reached
// after the digits read so far, before following empty transitions.
type dstate struct {
	next [10]int32 // state after each digit; unbuilt until computed
	mask uint32    // expressions matched here, before the last digit
	end  uint32    // expressions matched here at the end of the input
	pcs  []uint32
}

// States 0 and 1 are the dead state (no instruction left) and the start.
const (
	deadState  = 0
	startState = 1
	unbuilt    = -1
	maxStates  = 1 << 14
)

// The empty-width assertions that hold at the start of a string of
// digits, between two digits and at the end (syntax.EmptyOpContext), and
// in an empty string.
const (
	beginCtx  = syntax.EmptyBeginLine | syntax.EmptyBeginText | syntax.EmptyWordBoundary
	middleCtx = syntax.EmptyNoWordBoundary
	endCtx    = syntax.EmptyEndLine | syntax.EmptyEndText | syntax.EmptyWordBoundary
	emptyCtx  = syntax.EmptyBeginLine | syntax.EmptyBeginText | syntax.EmptyEndLine | syntax.EmptyEndText | syntax.EmptyNoWordBoundary
)

// newMatcher compiles expressions (at most 32).
func newMatcher(exprs []string) (*matcher, error) {
	m := &matcher{index: map[string]int32{}}
	for _, e := range exprs {
		re, err := syntax.Parse(e, syntax.Perl)
		if err != nil {
			return nil, err
		}
		prog, err := syntax.Compile(re.Simplify())
		if err != nil {
			return nil, err
		}
		m.progs = append(m.progs, prog)
	}
	m.add(nil, middleCtx) // the dead state
	start := make([]uint32, len(m.progs))
	for i, p := range m.progs {
		start[i] = uint32(i)<<16 | uint32(p.Start)
	}
	m.add(start, beginCtx)
	return m, nil
}

// run returns the expressions that match digits (a bit per expression);
// ok is false when the matcher is full and cannot tell.
func (m *matcher) run(digits string) (mask uint32, ok bool) {
	m.mu.RLock()
	s := int32(startState)
	for i := 0; i < len(digits); i++ {
		d := digits[i] - '0'
		mask |= m.states[s].mask
		n := m.states[s].next[d]
		if n == unbuilt {
			m.mu.RUnlock()
			if n = m.build(s, d); n == unbuilt {
				return 0, false
			}
			m.mu.RLock()
		}
		if s = n; s == deadState {
			m.mu.RUnlock()
			return mask, true
		}
	}
	mask |= m.states[s].end
	m.mu.RUnlock()
	return mask, true
}

// build computes the state after digit d in state s, or returns unbuilt
// when the matcher is full.
func (m *matcher) build(s int32, d byte) int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := m.states[s].next[d]; n != unbuilt {
		return n
	}
	ctx := middleCtx
	if s == startState {
		ctx = beginCtx
	}
	var next []uint32
	for _, x := range m.closure(m.states[s].pcs, ctx, nil) {
		prog, pc := m.progs[x>>16], x&0xffff
		if inst := &prog.Inst[pc]; inst.MatchRune(rune('0' + d)) {
			next = append(next, x&^0xffff|inst.Out)
		}
	}
	slices.Sort(next)
	next = slices.Compact(next)
	n, ok := m.index[key(next)]
	if !ok {
		if len(m.states) >= maxStates {
			return unbuilt
		}
		n = m.add(next, middleCtx)
	}
	m.states[s].next[d] = n
	return n
}

// add appends the state of pcs, which are sorted, with its masks in ctx
// and at the end; the caller holds mu or owns m.
func (m *matcher) add(pcs []uint32, ctx syntax.EmptyOp) int32 {
	st := dstate{pcs: pcs}
	for i := range st.next {
		st.next[i] = unbuilt
	}
	if len(pcs) == 0 {
		st.next = [10]int32{} // the dead state stays dead
	}
	m.closure(pcs, ctx, &st.mask)
	if ctx == beginCtx {
		m.closure(pcs, emptyCtx, &st.end)
	} else {
		m.closure(pcs, endCtx, &st.end)
	}
	n := int32(len(m.states))
	m.states = append(m.states, st)
	m.index[key(pcs)] = n
	return n
}

// closure follows the empty transitions from pcs in context ctx and
// returns the instructions that read a rune; it sets the bit of every
// expression whose match it reaches in *matched, when given.
func (m *matcher) closure(pcs []uint32, ctx syntax.EmptyOp, matched *uint32) []uint32 {
	var out []uint32
	seen := map[uint32]bool{}
	stack := slices.Clone(pcs)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		e, inst := x&^0xffff, &m.progs[x>>16].Inst[x&0xffff]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, e|inst.Out, e|inst.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, e|inst.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(inst.Arg)&^ctx == 0 {
				stack = append(stack, e|inst.Out)
			}
		case syntax.InstMatch:
			if matched != nil {
				*matched |= 1 << (x >> 16)
			}
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			out = append(out, x)
		}
	}
	return out
}

// key is the map key of an instruction set.
func key(pcs []uint32) string {
	b := make([]byte, 0, 4*len(pcs))
	for _, x := range pcs {
		b = append(b, byte(x>>24), byte(x>>16), byte(x>>8), byte(x))
	}
	return string(b)
}

package store

import (
	"cmp"
	"slices"

	"github.com/heraldhq/herald"
)

// Every index of contacts takes one b-tree insert per new row. An index
// whose keys arrive in random order (phone numbers of a shuffled file,
// birthdays) costs the most: each insert lands on another page, and each
// batch dirties most of the index's pages, which the commit writes to
// the WAL. Inserting a batch in the order of that index's key makes its
// inserts walk the index from left to right. Only one index can have its
// order, so insertOrder picks the one that gains most; indexes of few
// distinct values have few insertion points and gain little.

// sortSample is how many rows insertOrder looks at to count distinct
// values; sortSpread is how many distinct values among them make a key
// worth sorting by.
const (
	sortSample = 1024
	sortSpread = sortSample / 4
)

// insertOrder sorts rows by the phone number or by one of the attributes
// in used whose slot is indexed: the one with the most distinct values
// among those the rows are not already in order of. Rows keep their order
// when no key has many distinct values.
func insertOrder(used []*attr, rows []herald.ImportRow, indexed func(slot string) bool) {
	if len(rows) < 2 {
		return
	}
	best, bestSpread := -1, sortSpread-1
	phones := make([]string, len(rows))
	for i := range rows {
		phones[i] = rows[i].Phone
	}
	if n := spread(phones); n > bestSpread {
		best, bestSpread = len(used), n
	}
	for i, a := range used {
		if !indexed(a.slot) {
			continue
		}
		var n int
		if a.Type.Textual() {
			n = spread(slotKeys(rows, a, func(v herald.Value) string { return v.Text }))
		} else {
			n = spread(slotKeys(rows, a, func(v herald.Value) float64 { return v.Num }))
		}
		if n > bestSpread {
			best, bestSpread = i, n
		}
	}
	switch {
	case best < 0:
	case best == len(used):
		permute(rows, order(phones))
	case used[best].Type.Textual():
		permute(rows, order(slotKeys(rows, used[best], func(v herald.Value) string { return v.Text })))
	default:
		permute(rows, order(slotKeys(rows, used[best], func(v herald.Value) float64 { return v.Num })))
	}
}

// slotKeys returns the slot key of attribute a of every row, by key; rows
// without a value (no index entry) get the zero key.
func slotKeys[K cmp.Ordered](rows []herald.ImportRow, a *attr, key func(herald.Value) K) []K {
	out := make([]K, len(rows))
	for i := range rows {
		if v := rows[i].Values[a.ID]; v.Display != "" {
			out[i] = key(v)
		}
	}
	return out
}

// spread returns the number of distinct keys among the first sortSample,
// or 0 when keys are nearly in order already (at most one in a hundred
// steps down).
func spread[K cmp.Ordered](keys []K) int {
	down := 0
	for i := 1; i < len(keys); i++ {
		if keys[i] < keys[i-1] {
			down++
		}
	}
	if down <= len(keys)/100 {
		return 0
	}
	seen := make(map[K]struct{}, sortSample)
	for _, k := range keys[:min(len(keys), sortSample)] {
		seen[k] = struct{}{}
	}
	return len(seen)
}

// order returns the indexes of keys in key order (stable).
func order[K cmp.Ordered](keys []K) []int32 {
	idx := make([]int32, len(keys))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
	return idx
}

// permute reorders rows so that row i becomes the old row idx[i].
func permute(rows []herald.ImportRow, idx []int32) {
	old := slices.Clone(rows)
	for i, j := range idx {
		rows[i] = old[j]
	}
}

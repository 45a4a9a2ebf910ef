package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/heraldhq/herald"
)

// TestInsertOrder checks which key insertOrder sorts a batch by.
func TestInsertOrder(t *testing.T) {
	gender := &attr{Attribute: herald.Attribute{ID: 1, Type: herald.AttrList}, slot: "t10"}
	born := &attr{Attribute: herald.Attribute{ID: 2, Type: herald.AttrDate}, slot: "n02"}
	name := &attr{Attribute: herald.Attribute{ID: 3, Type: herald.AttrText}, slot: "t01"} // free text: no index
	rnd := rand.New(rand.NewPCG(1, 2))
	batch := func(shuffled bool) []herald.ImportRow {
		rows := make([]herald.ImportRow, 3000)
		for i := range rows {
			rows[i] = herald.ImportRow{Row: i + 2, Phone: fmt.Sprintf("+3460%07d", i), Values: map[int64]herald.Value{
				gender.ID: {Display: "f", Text: []string{"female", "male"}[i%2]},
				born.ID:   {Display: "d", Num: float64(rnd.IntN(20000))},
				name.ID:   {Display: "n", Text: fmt.Sprint(rnd.Int())},
			}}
		}
		if shuffled {
			rnd.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		}
		return rows
	}
	sortedBy := func(rows []herald.ImportRow, key func(r herald.ImportRow) float64) bool {
		return slices.IsSortedFunc(rows, func(a, b herald.ImportRow) int { return int(key(a) - key(b)) })
	}
	byRow := func(r herald.ImportRow) float64 { return float64(r.Row) }
	byBorn := func(r herald.ImportRow) float64 { return r.Values[born.ID].Num }

	rows := batch(false) // numbers in order: the dates are the ones spread out
	insertOrder([]*attr{gender, born, name}, rows, indexedSlot)
	if !sortedBy(rows, byBorn) {
		t.Errorf("numbers in order: rows not sorted by the date")
	}
	rows = batch(true) // numbers shuffled: they come first
	insertOrder([]*attr{gender, born, name}, rows, indexedSlot)
	if !sortedBy(rows, byRow) {
		t.Errorf("numbers shuffled: rows not sorted by phone number")
	}
	rows = batch(false) // nothing worth sorting by: the order stays
	insertOrder([]*attr{gender, name}, rows, indexedSlot)
	if !sortedBy(rows, byRow) {
		t.Errorf("few distinct values: rows reordered")
	}
}

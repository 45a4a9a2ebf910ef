package phone

import (
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The library validates a number by matching its national significant
// number against a dozen regular expressions of its region, one at a
// time (about 2 µs). The fast path asks the same questions of the same
// expressions in one pass of a matcher per region (about 0.1 µs).

// Expressions of a region's matcher, by bit: the number descriptions the
// library's getNumberTypeHelper tries, then two prefixes.
const (
	exGeneral = iota
	exPremium
	exTollFree
	exSharedCost
	exVoip
	exPersonal
	exPager
	exUAN
	exVoicemail
	exFixedLine
	exMobile
	exNationalPrefix // national prefix for parsing, matched as a prefix
	exLeadingDigits  // the region's leading digits, matched as a prefix
	numEx
)

// region is the numbering plan of one region, compiled on first use.
type region struct {
	id   string
	meta *phonenumbers.PhoneMetadata

	once    sync.Once
	m       *matcher // nil when an expression does not compile
	lengths [exNationalPrefix]lengthSet
}

// lengthSet is a description's possible lengths of national numbers.
type lengthSet struct {
	any  bool   // no lengths given: the pattern decides
	bits uint32 // bit n: length n is possible
}

// has reports whether n is a possible length.
func (l lengthSet) has(n int) bool {
	return l.any || (n < 32 && l.bits&(1<<n) != 0)
}

// callingCodes holds the regions of every country calling code (1 to
// 999), in the order in which the library tries them.
type callingCodes struct {
	known   [1000]bool
	regions [1000][]*region // nil for a known code: leave it to the library
}

// plans returns the regions of every country calling code. They are built
// once, on first use, from the library's embedded metadata, which never
// changes; each region compiles its matcher on first use.
var plans = sync.OnceValue(func() *callingCodes {
	out := &callingCodes{}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		out.known[cc] = cc > 0 && cc < 1000
	}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return out // every number takes the library's path
	}
	byKey := map[string]*phonenumbers.PhoneMetadata{}
	for _, md := range coll.GetMetadata() {
		byKey[regionKey(md.GetId(), int(md.GetCountryCode()))] = md
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc <= 0 || cc >= 1000 {
			continue
		}
		var regions []*region
		for _, id := range phonenumbers.GetRegionCodesForCountryCode(cc) {
			md := byKey[regionKey(id, cc)]
			if md == nil {
				regions = nil // the library knows more than we do: leave it to it
				break
			}
			regions = append(regions, &region{id: id, meta: md})
		}
		out.regions[cc] = regions
	}
	return out
})

// regionKey identifies a region's metadata: non-geographic entities
// ("001") have one per calling code.
func regionKey(id string, cc int) string {
	if id == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		return id + "+" + itoa(cc)
	}
	return id
}

// itoa formats a small non-negative number.
func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// matcher returns the region's matcher, compiling it on first use; nil
// when it cannot.
func (r *region) matcher() *matcher {
	r.once.Do(func() {
		md := r.meta
		descs := [exNationalPrefix]*phonenumbers.PhoneNumberDesc{
			md.GetGeneralDesc(), md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(), md.GetVoip(),
			md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine(), md.GetMobile(),
		}
		exprs := make([]string, 0, numEx)
		for i, d := range descs {
			// As the library's isNumberMatchingDesc writes them.
			exprs = append(exprs, "^(?:"+d.GetNationalNumberPattern()+")$")
			r.lengths[i].any = d == nil || len(d.GetPossibleLength()) == 0
			for _, l := range d.GetPossibleLength() {
				if l >= 0 && l < 32 {
					r.lengths[i].bits |= 1 << l
				}
			}
		}
		exprs = append(exprs, "^(?:"+md.GetNationalPrefixForParsing()+")", "^(?:"+md.GetLeadingDigits()+")")
		if m, err := newMatcher(exprs); err == nil {
			r.m = m
		}
	})
	return r.m
}

// matches reports whether expression ex matched (in mask) a national
// number of length n.
func (r *region) matches(mask uint32, ex, n int) bool {
	return mask&(1<<ex) != 0 && (ex >= exNationalPrefix || r.lengths[ex].has(n))
}

// valid is the library's IsValidNumberForRegion for a national number of
// length n that matched mask: the general description and one type.
func (r *region) valid(mask uint32, n int) bool {
	if !r.matches(mask, exGeneral, n) {
		return false
	}
	for ex := exPremium; ex <= exFixedLine; ex++ {
		if r.matches(mask, ex, n) {
			return true
		}
	}
	return !r.meta.GetSameMobileAndFixedLinePattern() && r.matches(mask, exMobile, n)
}

package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as inline SVG: no script library, and
// the portal's content security policy allows them (shapes take their
// sizes from attributes, their colours from classes in app.css).

// chartPart is one value of a chart: its label, value and colour class
// (chart-ok, chart-bad, chart-warn, chart-info, chart-muted).
type chartPart struct {
	Label string
	Value int
	Class string
}

// donutChart draws parts as a ring with the total in its middle, and a
// legend. Empty parts take no room; with a zero total the ring is grey.
func donutChart(title string, parts []chartPart) template.HTML {
	total := 0
	for _, p := range parts {
		total += p.Value
	}
	var b strings.Builder
	const r, c = 40.0, 50.0
	circ := 2 * math.Pi * r
	fmt.Fprintf(&b, `<figure class="chart chart-donut"><svg viewBox="0 0 100 100" role="img" aria-label="%s">`, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<circle class="chart-track" cx="%g" cy="%g" r="%g"/>`, c, c, r)
	offset := 0.0
	for _, p := range parts {
		if p.Value <= 0 || total == 0 {
			continue
		}
		l := circ * float64(p.Value) / float64(total)
		fmt.Fprintf(&b, `<circle class="chart-arc %s" cx="%g" cy="%g" r="%g" stroke-dasharray="%.3f %.3f" stroke-dashoffset="%.3f" transform="rotate(-90 %g %g)"><title>%s: %d</title></circle>`,
			p.Class, c, c, r, l, circ-l, -offset, c, c, template.HTMLEscapeString(p.Label), p.Value)
		offset += l
	}
	fmt.Fprintf(&b, `<text class="chart-total" x="50" y="54" text-anchor="middle">%d</text></svg>`, total)
	b.WriteString(legend(parts))
	b.WriteString(`</figure>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// legend lists parts with their colour.
func legend(parts []chartPart) string {
	var b strings.Builder
	b.WriteString(`<figcaption class="chart-legend">`)
	for _, p := range parts {
		fmt.Fprintf(&b, `<span><i class="swatch %s"></i>%s <b>%d</b></span>`, p.Class, template.HTMLEscapeString(p.Label), p.Value)
	}
	b.WriteString(`</figcaption>`)
	return b.String()
}

// chartGroup is a labelled group of bars, such as one channel's message
// statistics.
type chartGroup struct {
	Label string
	Parts []chartPart
}

// barChart draws groups of horizontal bars on one scale (the largest
// value), each bar labelled with its value.
func barChart(title string, groups []chartGroup) template.HTML {
	maxV := 1
	rows := 0
	for _, g := range groups {
		rows += len(g.Parts) + 1
		for _, p := range g.Parts {
			maxV = max(maxV, p.Value)
		}
	}
	const rowH, labelW, barW = 14.0, 90.0, 180.0
	h := float64(rows)*rowH + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart chart-bars"><svg viewBox="0 0 %g %g" role="img" aria-label="%s">`, labelW+barW+40, h, template.HTMLEscapeString(title))
	y := 2.0
	for _, g := range groups {
		fmt.Fprintf(&b, `<text class="chart-group" x="0" y="%g">%s</text>`, y+rowH-4, template.HTMLEscapeString(g.Label))
		y += rowH
		for _, p := range g.Parts {
			w := barW * float64(p.Value) / float64(maxV)
			fmt.Fprintf(&b, `<text class="chart-label" x="8" y="%g">%s</text>`, y+rowH-4, template.HTMLEscapeString(p.Label))
			fmt.Fprintf(&b, `<rect class="chart-bar %s" x="%g" y="%g" width="%.2f" height="%g" rx="2"><title>%s: %d</title></rect>`,
				p.Class, labelW, y+2, w, rowH-4, template.HTMLEscapeString(p.Label), p.Value)
			fmt.Fprintf(&b, `<text class="chart-value" x="%.2f" y="%g">%d</text>`, labelW+w+4, y+rowH-4, p.Value)
			y += rowH
		}
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

package emailblocks

// Network is a social network a social block links to, drawn as a round
// badge in the network's colour with a short mark, since e-mail clients
// show neither SVG nor web fonts and images may be blocked.
type Network struct {
	Key    string // the JSON name
	Label  string // for people and the text part
	Mark   string // the badge's text
	Colour string // the badge's background
}

// networks lists the networks in the editor's order.
func networks() []Network {
	return []Network{
		{"facebook", "Facebook", "f", "#1877f2"},
		{"instagram", "Instagram", "Ig", "#e4405f"},
		{"x", "X", "X", "#000000"},
		{"linkedin", "LinkedIn", "in", "#0a66c2"},
		{"youtube", "YouTube", "▶", "#ff0000"},
		{"tiktok", "TikTok", "Tt", "#010101"},
		{"telegram", "Telegram", "Tg", "#26a5e4"},
		{"whatsapp", "WhatsApp", "Wa", "#25d366"},
		{"viber", "Viber", "Vb", "#7360f2"},
		{"pinterest", "Pinterest", "P", "#bd081c"},
		{"website", "Website", "www", "#555555"},
		{"email", "E-mail", "@", "#555555"},
	}
}

// Networks returns the keys of the networks a social block may link to.
func Networks() []string {
	var out []string
	for _, n := range networks() {
		out = append(out, n.Key)
	}
	return out
}

// NetworkList returns the networks with their labels, marks and colours,
// for the editor.
func NetworkList() []Network { return networks() }

// network returns the network of key.
func network(key string) (Network, bool) {
	for _, n := range networks() {
		if n.Key == key {
			return n, true
		}
	}
	return Network{}, false
}

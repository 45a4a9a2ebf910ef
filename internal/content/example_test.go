package content_test

import (
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/content"
	"github.com/heraldhq/herald/internal/render"
)

func ExampleDecode() {
	payload := json.RawMessage(`{"card": {"title": "Autumn sale", "suggestions": [
		{"type": "url", "text": "Open the autumn collection", "url": "https://shop.example.com"},
		{"type": "dial", "text": "Call", "phone": "+34911234567", "colour": "red"}]}}`)
	_, err := content.Decode(herald.ChannelRCS, payload)
	for _, v := range herald.ErrorViolations(err) {
		fmt.Printf("%s (%s): %s\n", v.Field, v.Code, v.Message)
	}
	// Output:
	// payload.card.suggestions[1].colour (unknown): Colour is not a known field here.
	// payload.card.suggestions[0].text (too_long): CTA text must be at most 25 characters (it has 26).
}

func ExampleContent_Render() {
	c, err := content.Decode(herald.ChannelSMS, json.RawMessage(`{"text": "Hi {{attribute.name}}, your code is {{code}}."}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(c.(*content.SMS).Info.Label())

	// One cache per content; one Renderer per recipient.
	var cache render.Cache
	r := render.Renderer{Cache: &cache, Attrs: map[string]string{"name": "Begoña"}, Params: map[string]string{"code": "4821"}}
	out, err := c.Render(r.Text)
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Text())
	fmt.Println(out.(*content.SMS).Info.Label())
	// Output:
	// 7-bit extended (160) 53 characters / 1 SMS
	// Hi Begoña, your code is 4821.
	// 7-bit (160) 29 characters / 1 SMS
}

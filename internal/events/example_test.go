package events_test

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/internal/events"
)

// Example opens the embedded bus (Config{URL: "nats://..."} for an external
// server), subscribes to inbox updates of one account and publishes one.
func Example() {
	ctx := context.Background()
	bus, err := events.Open(ctx, events.Config{})
	if err != nil {
		panic(err)
	}
	defer bus.Close()

	got := make(chan string, 1)
	unsubscribe, err := bus.Subscribe("herald.account.7.inbox.>", func(subject string, data []byte) {
		got <- subject + " " + string(data)
	})
	if err != nil {
		panic(err)
	}
	defer unsubscribe()

	if err := bus.Publish(ctx, "herald.account.7.inbox.conversation", []byte(`{"id":42}`)); err != nil {
		panic(err)
	}
	fmt.Println(<-got)
	// Output: herald.account.7.inbox.conversation {"id":42}
}

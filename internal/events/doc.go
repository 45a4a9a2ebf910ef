// Package events is Herald's cross-process event bus: small, transient
// notifications such as "conversation 42 changed" that let every Herald
// process update live views (the inbox, broadcast progress) at once.
//
// The bus is core NATS: publish and subscribe by subject, at most once, no
// persistence. A process that is down misses the events of that time, so an
// event only says that something changed and subscribers read the state from
// the database; work that must happen goes through internal/jobs instead.
//
// Open with an empty Config.URL (the embedded default) starts a NATS server
// inside the process with no network listener at all, and connects to it
// through an in-memory pipe: nothing to configure, no port to collide with.
// Open with a URL (scale-out) connects to an external NATS server or cluster
// that all Herald processes share, and reconnects after outages forever.
//
// Subjects are dot-separated tokens; subscriptions may use NATS wildcards
// ("*" for one token, ">" for the rest). Handlers of one subscription run one
// at a time, in publication order, on a goroutine of that subscription.
package events

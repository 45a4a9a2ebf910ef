// Package channel is the contract between Herald's messaging engine and the
// connectors that talk to providers: the Connector interface and its
// optional capabilities, the Sink through which connectors report delivery
// statuses and inbound messages, the error taxonomy that drives retries and
// fallbacks, the Registry that builds a connector for each configured
// connection, a throughput limiter, the channel log of provider exchanges, and
// what connection settings share (DecodeSettings, Duration).
//
// A connector package (internal/channel/sandbox, smpp, ...) registers a
// Factory under its type name in the wiring code; there is no package-level
// registry.
package channel

// Package webhook delivers Herald's events to customers' HTTP endpoints:
// the event envelope and the delivery-info format, HMAC-SHA256 request
// signing, the per-API-key settings with their sealed signing secrets, and
// the Deliverer that posts deliveries with bounded concurrency per host,
// retries with exponential backoff and jitter for more than a day, records
// every attempt, and can batch envelopes per request.
//
// The signature scheme is documented for customers in docs/webhooks.md.
package webhook

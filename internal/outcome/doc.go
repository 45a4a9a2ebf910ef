// Package outcome defines the per-contact outcome records of a broadcast
// run: one record per recipient of its snapshot with the chain's result
// (not initiated, in progress, successful, unsuccessful), the step and
// channel the chain reached, the last message's status and its time. The
// fields are defined once, in Columns, and shared by the portal's list
// and the CSV and XLSX exports.
//
// The writers take the records from a callback-driven cursor (Source) and
// write them one at a time, so the memory an export needs does not grow
// with the number of recipients.
package outcome

// Package media is the media library's service (reference 001 section
// 12.1): it streams uploads into a blob store without holding them in
// memory, refuses files over the size limit while they arrive, recognises
// each file's kind, format, MIME type and pixel size from its content (and
// refuses a file whose content contradicts its name), and hands out
// signed, expiring public links for the channels that fetch media by URL.
//
// The bytes live in a herald.BlobStore: Local keeps them in the data
// directory; an S3-compatible store can take its place when Herald runs as
// several processes. The records live in the database (herald.MediaStore).
package media

// Package importer reads contact files and imports them: it recognises the
// format (CSV, XLS, XLSX) and, for CSV, the text encoding and the
// delimiter; it previews rows for the Import wizard; it turns rows into
// contacts by a column mapping; and its Runner applies a file in batches,
// each in one transaction with the import's checkpoint, so that memory is
// bounded by a batch and a restarted run applies no row twice.
//
// Encodings: UTF-8 with or without a byte order mark, UTF-16 LE and BE
// (with a mark, or recognised by their zero bytes), Windows-1252 and
// ISO-8859-9 (Turkish). Text that is not valid UTF-8 is Windows-1252
// unless it holds letters that only Turkish text has.
//
// Legacy XLS files are read whole with github.com/shakinm/xlsReader (a
// pure-Go BIFF8 reader): the format holds at most 65,536 rows, so a file
// is a few megabytes at most. XLSX sheets are streamed by excelize.
package importer

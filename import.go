package herald

import (
	"context"
	"io"
	"strings"
	"time"
)

// ImportStatus is where an import is in the wizard and its run.
type ImportStatus string

// Import statuses. An import is uploaded, mapped in the wizard, then
// queued; a background job runs it to done or failed.
const (
	ImportUploaded ImportStatus = "uploaded" // in the wizard
	ImportQueued   ImportStatus = "queued"   // started, waiting for a worker
	ImportRunning  ImportStatus = "running"
	ImportDone     ImportStatus = "done"
	ImportFailed   ImportStatus = "failed" // stopped by an error that is not a row's
)

// Final reports whether the import will not run again.
func (s ImportStatus) Final() bool { return s == ImportDone || s == ImportFailed }

// File formats an import reads.
const (
	FormatCSV  = "csv"
	FormatXLS  = "xls"
	FormatXLSX = "xlsx"
)

// Import field names a file column can map to besides attributes
// ("attr.<id>") and identities ("identity.<kind>").
const (
	FieldPhone = "phone"
	FieldEmail = "email"
	FieldTags  = "tags" // comma-separated tag names
)

// Import is one contact file going through the Import wizard and then
// imported in the background. Rows are numbered from 1 as the file shows
// them; the import reads from FirstRow on. RowsDone is the checkpoint: the
// rows after FirstRow that are applied, saved with them, so a run that
// restarts goes on after them and never applies a row twice.
type Import struct {
	ID         int64           `json:"id"`
	AccountID  int64           `json:"-"`
	FileName   string          `json:"fileName"`
	Format     string          `json:"format"`    // csv, xls or xlsx
	Encoding   string          `json:"encoding"`  // CSV text encoding, such as utf-8 or windows-1252
	Delimiter  string          `json:"delimiter"` // CSV field separator
	Size       int64           `json:"size"`      // bytes
	Status     ImportStatus    `json:"status"`
	FirstRow   int             `json:"firstRow"`
	Mapping    []ColumnMapping `json:"mapping"`
	Policy     DuplicatePolicy `json:"policy"`
	Tag        string          `json:"tag"`   // given to every imported contact
	Quick      bool            `json:"quick"` // phone numbers only
	RowsDone   int64           `json:"rowsDone"`
	Imported   int64           `json:"imported"`
	Updated    int64           `json:"updated"`
	Skipped    int64           `json:"skipped"`
	Failed     int64           `json:"failed"`
	Error      string          `json:"error,omitempty"`
	CreatedBy  string          `json:"createdBy"`
	CreatedAt  time.Time       `json:"createdAt"`
	StartedAt  *time.Time      `json:"startedAt"`
	FinishedAt *time.Time      `json:"finishedAt"`
	UpdatedAt  time.Time       `json:"updatedAt"`
}

// ColumnMapping maps the file's column Column (0 for the first) to a
// contact field: FieldPhone, FieldEmail, FieldTags, an attribute's column
// key ("attr.<id>") or an identity ("identity.<kind>").
type ColumnMapping struct {
	Column int    `json:"column"`
	Field  string `json:"field"`
}

// ValidateStart checks that the import can start: a policy, a first row,
// and a mapping that names each field once and maps the phone number.
func (im *Import) ValidateStart() error {
	var vs Violations
	if !im.Policy.Valid() {
		vs.Add("policy", VUnknown, "Choose what to do with duplicates: skip, override or enrich.")
	}
	if im.FirstRow < 1 {
		vs.Add("firstRow", VRange, "The first row is 1 or more.")
	}
	im.Tag = strings.TrimSpace(im.Tag)
	vs.CheckLen("tag", im.Tag, false, MaxTagLen)
	seen := map[string]bool{}
	phone := false
	for _, m := range im.Mapping {
		if m.Field == "" {
			continue
		}
		if seen[m.Field] {
			vs.Add("mapping", VTaken, "%s is mapped to more than one column.", m.Field)
		}
		seen[m.Field] = true
		phone = phone || m.Field == FieldPhone
		if m.Column < 0 {
			vs.Add("mapping", VRange, "Column numbers start at 0.")
		}
	}
	if !phone {
		vs.Add("mapping", VRequired, "Map a column to the phone number: it is the one required field.")
	}
	return vs.Err()
}

// ImportRow is one row of a file made ready for the store: the phone
// number already in E.164 and attribute values already valid, or Err
// saying why the row cannot be imported.
type ImportRow struct {
	Row        int               // number in the file, from 1
	Phone      string            // E.164
	Country    string            // from the number
	Email      string            // "" when not mapped or empty
	Identities map[string]string // by kind
	Values     map[int64]Value   // by attribute ID; an empty Display clears the value
	Tags       []string          // from a tags column
	Cells      []string          // the row as read when Err is set, for the failed rows report
	Err        string
}

// ImportBatch is consecutive rows applied in one transaction: the rows
// after the checkpoint From (rows after FirstRow read before them) up to
// the checkpoint RowsDone they bring the import to.
type ImportBatch struct {
	Rows     []ImportRow
	From     int64
	RowsDone int64
	// Prepared is what the store made of Rows ahead of the write
	// transaction (ImportStore's PrepareImportBatch), which it may redo.
	Prepared any
}

// ImportFailure is a row that was not imported, with its number and why.
type ImportFailure struct {
	Row    int      `json:"row"`
	Reason string   `json:"reason"`
	Cells  []string `json:"cells"`
}

// ImportPreset remembers a mapping by column header, to map a file with
// the same headers in one click.
type ImportPreset struct {
	ID        int64             `json:"id"`
	AccountID int64             `json:"-"`
	Name      string            `json:"name"`
	Mapping   map[string]string `json:"mapping"` // folded header -> field
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
}

// ImportStore keeps imports, their files, failed rows and presets.
// Methods are scoped to accountID where they take one.
type ImportStore interface {
	// CreateImport stores im with its file, read from r in chunks; size is
	// checked against the file's length.
	CreateImport(ctx context.Context, im *Import, r io.Reader) error
	// Import returns one import, or ENOTFOUND.
	Import(ctx context.Context, accountID, id int64) (*Import, error)
	// ImportByID returns an import of any account, for the job that runs it.
	ImportByID(ctx context.Context, id int64) (*Import, error)
	// RecentImports returns the account's latest n imports, newest first.
	RecentImports(ctx context.Context, accountID int64, n int) ([]Import, error)
	// UpdateImportSettings saves what the wizard chose (first row,
	// mapping, policy, tag, quick, encoding, delimiter) while the import is
	// uploaded; ECONFLICT after it started.
	UpdateImportSettings(ctx context.Context, im *Import) error
	// StartImport validates the settings, marks the import queued and
	// calls enqueue with the store's transaction (a *sql.Tx or pgx.Tx) so
	// that the job exists exactly when the import is queued.
	StartImport(ctx context.Context, accountID, id int64, enqueue func(ctx context.Context, tx any) error) (*Import, error)
	// OpenImportFile returns the import's file as stored; the caller
	// must Close it. It reads one chunk at a time.
	OpenImportFile(ctx context.Context, id int64) (io.ReadCloser, error)
	// BeginImportRun marks a queued or running import running and returns it.
	BeginImportRun(ctx context.Context, id int64) (*Import, error)
	// ApplyImportBatch applies b by the import's policy and tag, records
	// its failed rows and moves the checkpoint to b.RowsDone, all in one
	// transaction. A batch whose RowsDone is not beyond the import's is
	// ignored: it was applied before a restart. A batch that does not start
	// at the import's checkpoint is ECONFLICT: another run is applying it.
	ApplyImportBatch(ctx context.Context, id int64, b ImportBatch) (*Import, error)
	// PrepareImportBatch sets b.Prepared to the work of applying b that
	// needs no write transaction, so that it can be done while the
	// previous batch is applied; ApplyImportBatch redoes it when the
	// account's attributes changed meanwhile.
	PrepareImportBatch(ctx context.Context, im *Import, b *ImportBatch) error
	// FinishImport marks the import done, or failed with msg when msg is
	// not "".
	FinishImport(ctx context.Context, id int64, msg string) (*Import, error)
	// ImportFailures returns the failed rows of an import in row order,
	// after row after, at most limit of them.
	ImportFailures(ctx context.Context, accountID, id int64, after, limit int) ([]ImportFailure, error)
	// ImportPresets returns the account's presets by name.
	ImportPresets(ctx context.Context, accountID int64) ([]ImportPreset, error)
	// SaveImportPreset creates or replaces the preset of p.Name.
	SaveImportPreset(ctx context.Context, p *ImportPreset) error
	// DeleteImportPreset removes a preset.
	DeleteImportPreset(ctx context.Context, accountID, id int64) error
}

// Command import measures a contact import and a target count.
//
//	go run ./bench/import -rows 1000000                      # SQLite in a temporary directory
//	go run ./bench/import -rows 1000000 -engine postgres     # a fresh database on HERALD_TEST_POSTGRES_URL's server
//
// It writes a CSV of -rows contacts with 8 attributes (name, surname,
// city, gender, age, birthday, job title, VIP), uploads it as the Import
// wizard does, runs the import as the background job does, then counts
// the target "women aged 18-25 in Madrid" (three filters) a few times.
// The last line of its output is
//
//	import: engine=E rows=N rows_per_s=N peak_rss_mb=N target_count_ms=N
//
// where rows_per_s covers reading, checking and writing the file (the
// job's work, not the upload), peak_rss_mb is the process's high-water
// resident memory, and target_count_ms is the median of five counts.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/importer"
	"github.com/heraldhq/herald/internal/store"
)

func main() {
	rows := flag.Int("rows", 100000, "contacts to import")
	engine := flag.String("engine", store.EngineSQLite, "sqlite or postgres")
	pgURL := flag.String("postgres", envOr("HERALD_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"admin URL of the PostgreSQL server; the bench creates and drops its own database")
	keep := flag.Bool("keep", false, "keep the database and the CSV file")
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the import to this file")
	batch := flag.Int("batch", importer.DefaultBatch, "rows per transaction")
	flag.Parse()
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(context.Background(), *rows, *batch, *engine, *pgURL, *keep); err != nil {
		pprof.StopCPUProfile()
		log.Fatal(err)
	}
}

// envOr returns the environment variable k, or def.
func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// run does the whole measurement.
func run(ctx context.Context, rows, batch int, engine, pgURL string, keep bool) error {
	dir, err := os.MkdirTemp("", "herald-bench-import-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	s, cleanup, err := openStore(ctx, engine, pgURL, dir, keep)
	if err != nil {
		return err
	}
	defer cleanup()
	file := filepath.Join(dir, "contacts.csv")
	if err := writeCSV(file, rows); err != nil {
		return err
	}
	ctx = herald.WithActor(ctx, herald.Actor{Login: "bench"})
	acc, attrs, err := setup(ctx, s)
	if err != nil {
		return err
	}
	im, err := upload(ctx, s, acc, attrs, file)
	if err != nil {
		return err
	}
	start := time.Now()
	done, err := importer.Run(ctx, s, im.ID, batch)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if done.Status != herald.ImportDone || done.Imported != int64(rows) {
		return fmt.Errorf("import ended %s with %d imported, %d failed: %s", done.Status, done.Imported, done.Failed, done.Error)
	}
	count, ms, err := countTarget(ctx, s, acc.ID, attrs)
	if err != nil {
		return err
	}
	fmt.Printf("imported %d rows in %s; target \"women aged 18-25 in Madrid\" counts %d\n", rows, elapsed.Round(time.Millisecond), count)
	fmt.Printf("import: engine=%s rows=%d rows_per_s=%.0f peak_rss_mb=%d target_count_ms=%d\n",
		engine, rows, float64(rows)/elapsed.Seconds(), peakRSSMB(), ms)
	return nil
}

// openStore opens a fresh, migrated store.
func openStore(ctx context.Context, engine, pgURL, dir string, keep bool) (*store.Store, func(), error) {
	url, drop := "", func() {}
	if engine == store.EnginePostgres {
		name := fmt.Sprintf("herald_bench_%d", time.Now().UnixNano())
		admin, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			return nil, nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
		}
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return nil, nil, fmt.Errorf("creating database: %w", err)
		}
		url = strings.Replace(pgURL, "/postgres?", "/"+name+"?", 1)
		drop = func() {
			if !keep {
				_, _ = admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			}
			_ = admin.Close(context.Background())
		}
	} else if engine != store.EngineSQLite {
		return nil, nil, fmt.Errorf("unknown engine %q", engine)
	}
	s, err := store.Open(ctx, url, dir, nil)
	if err != nil {
		drop()
		return nil, nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		drop()
		return nil, nil, err
	}
	return s, func() { _ = s.Close(); drop() }, nil
}

// cities, genders and jobs are the generated values.
var (
	cities = []string{"Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao", "Málaga", "Zaragoza", "İstanbul", "Ankara", "İzmir",
		"Bursa", "Antalya", "Lisboa", "Porto", "Paris", "Lyon", "Roma", "Milano", "Berlin", "London"}
	jobs = []string{"Engineer", "Teacher", "Nurse", "Driver", "Designer", "Manager", "Student", "Chef"}
)

// writeCSV writes n contacts: phone, then the 8 attributes.
func writeCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rnd := rand.New(rand.NewPCG(1, 2))
	fmt.Fprintln(w, "phone,name,surname,city,gender,age,birthday,job title,vip")
	for i := 0; i < n; i++ {
		gender := "female"
		if rnd.IntN(2) == 0 {
			gender = "male"
		}
		age := 16 + rnd.IntN(60)
		born := time.Date(2026-age, time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28), 0, 0, 0, 0, time.UTC)
		fmt.Fprintf(w, "+3461%07d,Name%d,Surname%d,%s,%s,%d,%s,%s,%s\n", i, i, i%5000, cities[rnd.IntN(len(cities))], gender, age,
			born.Format(time.DateOnly), jobs[rnd.IntN(len(jobs))], strconv.FormatBool(rnd.IntN(10) == 0))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// setup creates the account and its attributes by name.
func setup(ctx context.Context, s *store.Store) (*herald.Account, map[string]herald.Attribute, error) {
	acc := &herald.Account{Name: "bench", TimeZone: "UTC"}
	if err := s.CreateAccount(ctx, acc); err != nil {
		return nil, nil, err
	}
	for _, a := range []herald.Attribute{{Name: "City", Type: herald.AttrText}, {Name: "Gender", Type: herald.AttrList, Options: []string{"female", "male"}},
		{Name: "Age", Type: herald.AttrNumber}, {Name: "Birthday", Type: herald.AttrDate}, {Name: "Job title", Type: herald.AttrText},
		{Name: "VIP", Type: herald.AttrBool}} {
		a.AccountID = acc.ID
		if err := s.CreateAttribute(ctx, &a); err != nil {
			return nil, nil, err
		}
	}
	all, err := s.Attributes(ctx, acc.ID)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]herald.Attribute{}
	for _, a := range all {
		byName[a.Name] = a
	}
	return acc, byName, nil
}

// upload stores the file and starts the import as the wizard does.
func upload(ctx context.Context, s *store.Store, acc *herald.Account, attrs map[string]herald.Attribute, path string) (*herald.Import, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	svc := &importer.Service{Store: s, MaxSize: 1 << 30}
	im, err := svc.Upload(ctx, acc.ID, "contacts.csv", f)
	if err != nil {
		return nil, err
	}
	im.FirstRow, im.Policy = 2, herald.DupSkip
	im.Mapping = []herald.ColumnMapping{{Column: 0, Field: herald.FieldPhone}}
	for i, name := range []string{"Name", "Surname", "City", "Gender", "Age", "Birthday", "Job title", "VIP"} {
		im.Mapping = append(im.Mapping, herald.ColumnMapping{Column: i + 1, Field: attrs[name].ColumnKey()})
	}
	if err := s.UpdateImportSettings(ctx, im); err != nil {
		return nil, err
	}
	return s.StartImport(ctx, acc.ID, im.ID, func(context.Context, any) error { return nil })
}

// countTarget saves the target and returns its count and the median time
// of five counts.
func countTarget(ctx context.Context, s *store.Store, accountID int64, attrs map[string]herald.Attribute) (int, int64, error) {
	t := &herald.Target{AccountID: accountID, Name: "Women aged 18-25 in Madrid", Filters: []herald.Filter{
		{Field: attrs["Gender"].ColumnKey(), Op: herald.OpEq, Value: "female"},
		{Field: attrs["Age"].ColumnKey(), Op: herald.OpRange, Min: "18", Max: "25"},
		{Field: attrs["City"].ColumnKey(), Op: herald.OpEq, Value: "Madrid"},
	}}
	if err := s.CreateTarget(ctx, t); err != nil {
		return 0, 0, err
	}
	var times []int64
	var n int
	for range 5 {
		start := time.Now()
		var err error
		if n, err = s.CountTarget(ctx, accountID, t.ID); err != nil {
			return 0, 0, err
		}
		times = append(times, time.Since(start).Milliseconds())
	}
	slices.Sort(times)
	return n, times[len(times)/2], nil
}

// peakRSSMB returns the process's peak resident set size (VmHWM) in MB.
func peakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb / 1024
		}
	}
	return -1
}

package smppbench

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// TestRuns checks that both harnesses work on a small run.
func TestRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for name, run := range map[string]func(context.Context, Options) (Result, error){
		"drive_smpp": RunDriveSMPP, "server": RunServer,
	} {
		r, err := run(ctx, Options{N: 2000})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: %s", name, r)
	}
	r, err := RunKannel(ctx, KannelOptions{N: 2000})
	if err != nil {
		t.Fatalf("kannel: %v", err)
	}
	t.Logf("kannel: %s", r)
}

// BenchmarkKannel measures Kannel's reference path: HTTP sendsms, smsbox,
// bearerbox, drive_smpp.
func BenchmarkKannel(b *testing.B) {
	r, err := RunKannel(context.Background(), KannelOptions{N: max(b.N, 1000)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.PerSecond, "msgs/s")
	b.ReportMetric(float64(r.CPUPerMessage.Nanoseconds())/1e3, "cpu-us/msg")
	b.ReportMetric(float64(r.PeerCPUPerMessage.Nanoseconds())/1e3, "peer-cpu-us/msg")
}

// BenchmarkDriveSMPP pushes b.N submit_sm through one bind to drive_smpp,
// with Kannel's default window and with a wide one.
func BenchmarkDriveSMPP(b *testing.B) {
	for _, w := range []int{10, 256} {
		b.Run("window="+strconv.Itoa(w), func(b *testing.B) { bench(b, RunDriveSMPP, w) })
	}
}

// BenchmarkServer pushes b.N submit_sm through one bind to Herald's server.
func BenchmarkServer(b *testing.B) {
	for _, w := range []int{10, 256} {
		b.Run("window="+strconv.Itoa(w), func(b *testing.B) { bench(b, RunServer, w) })
	}
}

func bench(b *testing.B, run func(context.Context, Options) (Result, error), window int) {
	r, err := run(context.Background(), Options{N: max(b.N, 1000), Window: window})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.PerSecond, "msgs/s")
	b.ReportMetric(float64(r.CPUPerMessage.Nanoseconds())/1e3, "cpu-us/msg")
	if r.PeerCPUPerMessage > 0 {
		b.ReportMetric(float64(r.PeerCPUPerMessage.Nanoseconds())/1e3, "peer-cpu-us/msg")
	}
}

package channel

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err    error
		class  Class
		detail herald.StatusDetail
	}{
		{errors.New("connection reset"), ClassRetryable, herald.DetailRetrying},
		{Permanent(errors.New("bad number"), herald.StatusDetail{}, "400"), ClassPermanent, herald.DetailProviderError},
		{Permanent(nil, herald.DetailNotCapable, "404"), ClassPermanent, herald.DetailNotCapable},
		{Misconfigured(errors.New("401 from provider")), ClassMisconfigured, herald.DetailMisconfigured},
		{Retryable(errors.New("throttled"), "429"), ClassRetryable, herald.DetailRetrying},
	}
	for _, c := range cases {
		e := Classify(c.err)
		if e.Class != c.class || e.StatusDetail() != c.detail {
			t.Errorf("Classify(%v) = %v, %+v; want %v, %+v", c.err, e.Class, e.StatusDetail(), c.class, c.detail)
		}
	}
	wrapped := errors.Join(errors.New("context"), Permanent(errors.New("x"), herald.StatusDetail{}, ""))
	if Classify(wrapped).Class != ClassPermanent {
		t.Error("Classify does not find a wrapped *Error")
	}
}

// stub is a connector that counts submissions.
type stub struct{ n int }

func (s *stub) Send(context.Context, *herald.Message) (Result, error) {
	s.n++
	return Result{Status: herald.StatusSent}, nil
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	if err := r.Register("stub", func(*herald.Connection, Sink) (Connector, error) { return &stub{}, nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.Register("stub", nil); err == nil {
		t.Error("registering a type twice succeeded")
	}
	if _, err := r.Open(&herald.Connection{Type: "stub"}, nil); err != nil {
		t.Errorf("Open(stub) = %v", err)
	}
	_, err := r.Open(&herald.Connection{Name: "x", Type: "smoke"}, nil)
	if Classify(err).Class != ClassMisconfigured {
		t.Errorf("Open(unknown type) = %v, want a misconfiguration", err)
	}
}

func TestLimit(t *testing.T) {
	s := &stub{}
	c := Limit(s, 20)
	start := time.Now()
	for range 30 { // a burst of 20, then 10 at 20 per second
		if _, err := c.Send(context.Background(), &herald.Message{}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("30 sends at 20 TPS took %v, want about 500ms", d)
	}
	if Limit(s, 0) != Connector(s) {
		t.Error("Limit(0) wraps the connector")
	}
}

func TestLog(t *testing.T) {
	l := NewLog(2)
	secrets := map[string]string{"password": "hunter2"}
	for _, req := range []string{"one", "two password=hunter2", "three"} {
		l.Add(LogEntry{ConnectionID: 1, Request: req}, secrets)
	}
	got := l.Recent(1)
	if len(got) != 2 || got[0].Request != "three" || got[1].Request != "two password=****" {
		t.Errorf("Recent = %+v", got)
	}
	if strings.Contains(got[1].Request, "hunter2") || l.Recent(2) != nil {
		t.Error("secret not redacted or unknown connection has entries")
	}
}
